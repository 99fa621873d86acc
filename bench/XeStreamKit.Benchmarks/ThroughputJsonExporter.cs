using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace XeStreamKit.Benchmarks;

/// <summary>
/// <c>*-throughput.json</c>: per benchmark case, the mean, the bytes an operation moves, GB/s
/// and the ratios to the memcpy and file-read baselines of the same run - what the markdown
/// table shows in its custom columns, for scripts and regression gates (BenchmarkDotNet's own
/// JSON carries no custom column).
/// </summary>
public sealed class ThroughputJsonExporter : ExporterBase
{
    /// <inheritdoc/>
    protected override string FileExtension => "json";

    /// <inheritdoc/>
    protected override string FileNameSuffix => "-throughput";

    /// <inheritdoc/>
    public override void ExportToLog(Summary summary, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(logger);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("title", summary.Title);
            w.WriteString("machine", $"{summary.HostEnvironmentInfo.CpuInfo.Value?.ProcessorName}, {summary.HostEnvironmentInfo.CpuInfo.Value?.LogicalCoreCount} logical cores, {summary.HostEnvironmentInfo.RuntimeVersion}");
            w.WriteStartArray("benchmarks");
            foreach (var c in summary.BenchmarksCases)
            {
                var report = summary[c];
                w.WriteStartObject();
                w.WriteString("type", c.Descriptor.Type.Name);
                w.WriteString("method", c.Descriptor.WorkloadMethod.Name);
                w.WriteString("job", c.Job.DisplayInfo);
                w.WriteStartObject("parameters");
                foreach (var p in c.Parameters.Items) w.WriteString(p.Name, Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
                if (report?.ResultStatistics is { } stats) w.WriteNumber("meanNanoseconds", stats.Mean);
                else w.WriteNull("meanNanoseconds");
                if (Throughput.BytesPerSecond(summary, c) is { } bps)
                {
                    w.WriteNumber("gbPerSecond", Math.Round(bps / 1e9, 4));
                    Ratio(w, "xMemcpy", summary, c, "Memcpy", bps);
                    Ratio(w, "xFileRead", summary, c, "FileRead", bps);
                }
                if (report?.GcStats.GetBytesAllocatedPerOperation(c) is { } allocated) w.WriteNumber("allocatedBytesPerOperation", allocated);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        logger.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void Ratio(Utf8JsonWriter w, string name, Summary summary, BenchmarkDotNet.Running.BenchmarkCase c, string baseline, double bytesPerSecond)
    {
        if (Throughput.Sibling(summary, c, baseline) is { } b && Throughput.BytesPerSecond(summary, b) is { } theirs)
            w.WriteNumber(name, Math.Round(bytesPerSecond / theirs, 4));
    }
}
