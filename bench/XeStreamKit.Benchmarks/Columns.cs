using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace XeStreamKit.Benchmarks;

/// <summary>A benchmark class that knows how many bytes each of its operations moves, from its
/// parameters alone (the columns are computed in the host process, which never ran its setup).</summary>
public interface IThroughputBenchmark
{
    /// <summary>Bytes one operation of <paramref name="method"/> moves with the current parameters.</summary>
    long BytesPerOperation(string method);
}

/// <summary>Throughput helpers shared by the columns.</summary>
internal static class Throughput
{
    /// <summary>Bytes per second of <paramref name="benchmarkCase"/>, or null without a result.</summary>
    public static double? BytesPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not > 0 || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IThroughputBenchmark instance) return null;
        foreach (var p in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
        return instance.BytesPerOperation(benchmarkCase.Descriptor.WorkloadMethod.Name) / (mean.Value / 1e9);
    }

    /// <summary>The case of <paramref name="method"/> with the same parameters and job.</summary>
    public static BenchmarkCase? Sibling(Summary summary, BenchmarkCase benchmarkCase, string method) =>
        summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Descriptor.WorkloadMethod.Name == method
            && c.Parameters.ValueInfo == benchmarkCase.Parameters.ValueInfo
            && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo);
}

/// <summary>Decimal gigabytes per second: the operation's bytes over its mean time.</summary>
public sealed class GigabytesPerSecondColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => "XskGBps";
    /// <inheritdoc/>
    public string ColumnName => "GB/s";
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc/>
    public int PriorityInCategory => 0;
    /// <inheritdoc/>
    public bool IsNumeric => true;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend => "Decimal gigabytes moved per second (the operation's bytes / Mean)";
    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;
    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Throughput.BytesPerSecond(summary, benchmarkCase) is { } b ? (b / 1e9).ToString(b >= 100e9 ? "F0" : "F2", CultureInfo.InvariantCulture) : "-";
}

/// <summary>Throughput as a multiple of a baseline operation of the same class, parameters and
/// job, measured in the same run (e.g. <c>x memcpy</c>: the fraction of a Span.CopyTo of the same bytes).</summary>
public sealed class RelativeThroughputColumn(string baselineMethod, string columnName) : IColumn
{
    /// <summary>Against <c>Memcpy</c> (Span.CopyTo of the same bytes).</summary>
    public static readonly RelativeThroughputColumn Memcpy = new("Memcpy", "x memcpy");

    /// <summary>Against <c>FileRead</c> (sequential read() of the same file).</summary>
    public static readonly RelativeThroughputColumn FileRead = new("FileRead", "x read");

    /// <inheritdoc/>
    public string Id => "Xsk" + baselineMethod;
    /// <inheritdoc/>
    public string ColumnName => columnName;
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc/>
    public int PriorityInCategory => 1;
    /// <inheritdoc/>
    public bool IsNumeric => true;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend => $"Throughput / throughput of {baselineMethod} with the same parameters, in the same run";
    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.WorkloadMethod.Name == baselineMethod);
    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (Throughput.Sibling(summary, benchmarkCase, baselineMethod) is not { } baseline) return "-";
        if (Throughput.BytesPerSecond(summary, benchmarkCase) is not { } mine || Throughput.BytesPerSecond(summary, baseline) is not { } theirs) return "-";
        var ratio = mine / theirs;
        return ratio.ToString(ratio >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);
    }
}
