using System.Globalization;
using System.Text.Json.Serialization;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Harness.Conformance;

namespace XeStreamKit.Cli.Json;

/// <summary><c>xsk save|restore|migrate --json</c>. stateDigestComponents only with a state digest.</summary>
public sealed record TransferJson(string Operation, string Device, string Stream, long Bytes, long Packets, IReadOnlyList<PacketTypeCountJson> PacketsByType,
    long? SizeEstimate, bool StrictValid, long StrictErrors, string? StateDigest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? StateDigestComponents,
    double Seconds, double TotalSeconds, double GbPerSecond);

/// <summary><c>xsk bench --json</c>.</summary>
public sealed record BenchJson(BenchImageJson Image, MachineJson Machine, double Seconds, IReadOnlyList<MeasurementJson> Measurements, IReadOnlyList<BenchGoalJson> Goals)
{
    /// <summary>From the report; rates rounded as printed.</summary>
    public static BenchJson Of(HostBenchmarkReport r) => new(
        new(r.ImageBytes, r.Image.Lmem, r.Image.VramChunk, r.Image.Packets, r.Image.SourceSpec), MachineJson.Of(r.Machine), Math.Round(r.TotalSeconds, 3),
        r.Measurements.Select(MeasurementJson.Of).ToList(),
        r.Ratios.Select(g => new BenchGoalJson(g.Measurement, g.Baseline, g.Unit, Math.Round(g.Value, 4), g.Target, g.Met)).ToList());
}

/// <summary>The image measured.</summary>
public sealed record BenchImageJson(long Bytes, ulong Lmem, ulong VramChunk, long Packets, string Source);

/// <summary>One goal: a ratio of two measurements and its target.</summary>
public sealed record BenchGoalJson(string Measurement, string Baseline, string Unit, double Value, double Target, bool Met);

/// <summary><c>xsk conformance throughput --json</c>.</summary>
public sealed record ThroughputJson(string Device, MachineJson Machine, MeasurementJson Memcpy, ThroughputFloorJson Floor, IReadOnlyList<ThroughputSizeJson> Sizes,
    string? RestoreSkipped, double Seconds, bool Passed)
{
    /// <summary>From the report; rates rounded as printed.</summary>
    public static ThroughputJson Of(ThroughputReport r) => new(r.Device, MachineJson.Of(r.Machine), MeasurementJson.Of(r.Memcpy),
        new(VramTimeline.FenceChunk, VramTimeline.FenceTimeout.TotalSeconds, Math.Round(VramTimeline.FloorBytesPerSecond / 1e9, 6)),
        r.Rows.Select(x => new ThroughputSizeJson(x.ChunkSize, Direction(x.Save), x.Restore is { } restore ? Direction(restore) : null, x.FloorMet)).ToList(),
        r.RestoreSkipped, Math.Round(r.TotalSeconds, 3), r.Passed);

    private static ThroughputDirectionJson Direction(ThroughputDirection d) => new(d.Runs, d.StreamBytes, d.VramChunks, d.VramBytes, d.LargestChunk,
        Math.Round(d.VramBytesPerSecond / 1e9, 4), Math.Round(d.MemcpyRatio, 4), Math.Round(d.StreamBytesPerSecond / 1e9, 4),
        new(d.SlowestChunk.Bytes, d.SlowestChunk.Seconds), d.SlowestFenceChunkSeconds, d.FloorMet, d.Failure);
}

/// <summary>The driver's floor: each chunk within the fence timeout.</summary>
public sealed record ThroughputFloorJson(ulong ChunkBytes, double TimeoutSeconds, double MinGbPerSecond);

/// <summary>One chunk size: save, and restore (null when not run).</summary>
public sealed record ThroughputSizeJson(ulong ChunkBytes, ThroughputDirectionJson Save, ThroughputDirectionJson? Restore, bool FloorMet);

/// <summary>A save or a restore at one chunk size.</summary>
public sealed record ThroughputDirectionJson(int Runs, long StreamBytes, long VramChunks, ulong VramBytes, ulong LargestChunk, double VramGbPerSecond,
    double MemcpyRatio, double StreamGbPerSecond, ThroughputChunkJson SlowestChunk, double? SlowestFenceWindowSeconds, bool FloorMet, string? Failure);

/// <summary>The slowest chunk.</summary>
public sealed record ThroughputChunkJson(ulong Bytes, double Seconds);

/// <summary><c>xsk report --json</c>.</summary>
public sealed record ReportJson(string Output, int HtmlBytes, bool Valid, string Profile, long? Packets, long Errors, long Warnings, long RowsDrawn, long PacketsNotDrawn,
    string? StreamError, IReadOnlyList<ReportVramJson> Vram, IReadOnlyList<ReportCompatibilityJson> Compatibility, ReportQemuJson? Qemu);

/// <summary>One tile's VRAM coverage.</summary>
public sealed record ReportVramJson(long Tile, ulong CoveredBytes, ulong? LmemBytes, long Holes, ulong HoleBytes, ulong OverlapBytes, ulong PastLmemBytes, bool Incomplete);

/// <summary>One target's verdict.</summary>
public sealed record ReportCompatibilityJson(string Target, bool Compatible, string? Errno, int ErrnoValue, string? ReportedAt, long? PacketIndex, string Reason);

/// <summary>Where a stream from a QEMU file came from.</summary>
public sealed record ReportQemuJson(string? Device, long Records, string? Error);

/// <summary><c>xsk rules --json</c>.</summary>
public sealed record RulesJson(IReadOnlyList<RuleJson> Rules);

/// <summary>One rule: severity per profile (null: not checked), errno per driver version (null: none).</summary>
public sealed record RuleJson(string Id, string Statement, IReadOnlyDictionary<string, string?> Severity, IReadOnlyDictionary<string, string?> Errno,
    string? Cause, string? ReportedAt, bool Target, string Ref, string? Note);

/// <summary><c>xsk completion --json</c>.</summary>
public sealed record CompletionJson(string Shell, string Script);

/// <summary><c>xsk corpus generate --json</c>: vectors by kind.</summary>
public sealed record CorpusJson(string Directory, int Vectors, int Y, int N, int I, long StoredBytes);

/// <summary><c>xsk corpus generate --hazards --json</c>.</summary>
public sealed record CorpusHazardsJson(string Directory, IReadOnlyList<CorpusHazardJson> Hazards);

/// <summary>One driver-hazard vector and its README.</summary>
public sealed record CorpusHazardJson(string Name, string? Rule, string Outcome, string? Context, string? Function, string Readme);

/// <summary><c>xsk conformance fuzz --json</c>.</summary>
public sealed record FuzzJson(int Seed, long Iterations, double Seconds, IReadOnlyList<FuzzFindingJson> Findings);

/// <summary>One finding and its minimized reproducer.</summary>
public sealed record FuzzFindingJson(string Stage, string Problem, string Reproducer, string MinimizedHex);

/// <summary><c>xsk conformance run --json</c>: one vector's result (a row of <c>vectors</c>, streamed);
/// skipped only when true.</summary>
public sealed record VectorResultJson(string Name, string Kind, bool Passed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Skipped,
    string Expected, string? Actual, string Detail, double Seconds)
{
    /// <summary>From the result.</summary>
    public static VectorResultJson Of(VectorResult r) => new(r.Entry.Name, r.Entry.Name[..1], r.Passed, r.Skipped, r.Expected.ToString(), r.Actual?.ToString(), r.Detail,
        Math.Round(r.Elapsed.TotalSeconds, 4));
}

/// <summary><c>xsk demo --json</c>: whether it worked, and each step's data (bool, long, double, or text).</summary>
public sealed record DemoJson(bool Ok, IReadOnlyList<IReadOnlyDictionary<string, object?>> Steps)
{
    /// <summary>A step's members: <c>step</c>, then its data, values other than bool, long and double as text.</summary>
    public static IReadOnlyDictionary<string, object?> Step(string step, IEnumerable<KeyValuePair<string, object?>> data)
    {
        var members = new Dictionary<string, object?> { ["step"] = step };
        foreach (var (k, v) in data)
            members[k] = v switch { null => null, bool or long or double => v, _ => v.ToString() };
        return members;
    }
}
