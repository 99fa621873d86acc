using System.Text.Json.Serialization;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Driver;

namespace XeStreamKit.Cli.Json;

// Output records shared by several commands. Member order is the JSON order; names are camelCase
// (CliJsonContext); a null member is written as null unless it says otherwise.

/// <summary><c>{"error":{...}}</c>: the document a failed command prints with <c>--json</c>.</summary>
public sealed record FailureDocument(FailureJson Error);

/// <summary>What failed: message, exit code, errno (name and negative value), and where in a stream.</summary>
public sealed record FailureJson(string Message, int ExitCode, string? Errno, int ErrnoValue, long? StreamOffset, long? PacketIndex, string? Field);

/// <summary>A format error: where it is and what it is.</summary>
public sealed record StreamErrorJson(long StreamOffset, long PacketIndex, string Field, string Message)
{
    /// <summary>The error as JSON, null for none.</summary>
    public static StreamErrorJson? Of(MigrationStreamFormatException? e) => e is null ? null : new(e.StreamOffset, e.PacketIndex, e.Field, e.Message);
}

/// <summary>One packet type's count and payload bytes.</summary>
public sealed record PacketTypeCountJson(string Type, byte TypeId, long Count, ulong PayloadBytes)
{
    /// <summary>The rows of a tally, in its order.</summary>
    public static PacketTypeCountJson[] Of(IEnumerable<(Format.PacketType Type, long Count, ulong Bytes)> byType) =>
        byType.Select(x => new PacketTypeCountJson(Format.PacketTypeText.Id(x.Type), (byte)x.Type, x.Count, x.Bytes)).ToArray();
}

/// <summary>The machine a measurement ran on.</summary>
public sealed record MachineJson(string Cpu, int LogicalCores, string Runtime, string Os, bool Vector512,
    [property: JsonPropertyName("crc32cInterleaved")] bool Crc32CInterleaved, double? LoadAverage, bool Optimized)
{
    /// <summary>From the benchmark's record.</summary>
    public static MachineJson Of(MachineInfo m) => new(m.Cpu, m.LogicalCores, m.Runtime, m.Os, m.Vector512, m.Crc32CInterleaved, m.LoadAverage, m.Optimized);
}

/// <summary>One measurement; rates rounded as printed.</summary>
public sealed record MeasurementJson(string Id, string Title, bool Baseline, long BytesPerRun, long ItemsPerRun, int Runs, double MedianSeconds, double BestSeconds,
    double GbPerSecond, double BestGbPerSecond, double ItemsPerSecond, long AllocatedBytesPerRun)
{
    /// <summary>From the benchmark's record.</summary>
    public static MeasurementJson Of(BenchMeasurement m) => new(m.Id, m.Title, m.IsBaseline, m.BytesPerRun, m.ItemsPerRun, m.Runs, m.MedianSeconds, m.BestSeconds,
        Math.Round(m.GbPerSecond, 3), Math.Round(m.BestGbPerSecond, 3), Math.Round(m.ItemsPerSecond), m.AllocatedBytesPerRun);
}

/// <summary>Errno spellings: a name (null for none) and the kernel's negative value (0 for none).</summary>
public static class ErrnoJson
{
    /// <summary><c>ENODEV</c>, or null.</summary>
    public static string? Name(Errno errno) => errno == Errno.None ? null : ErrnoText.Name(errno);

    /// <summary><c>-19</c>, or 0.</summary>
    public static int Value(Errno errno) => errno == Errno.None ? 0 : ErrnoText.KernelValue(errno);
}
