using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;

namespace XeStreamKit.Benchmarks;

/// <summary>Every class: GB/s and ratio columns; full JSON and throughput JSON reports (the
/// default configuration adds GitHub markdown, CSV and HTML).</summary>
public sealed class SuiteConfig : ManualConfig
{
    /// <summary>The columns and exporters.</summary>
    public SuiteConfig()
    {
        AddColumn(new GigabytesPerSecondColumn(), RelativeThroughputColumn.Memcpy, RelativeThroughputColumn.FileRead);
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddExporter(JsonExporter.Full, new ThroughputJsonExporter());
    }
}
