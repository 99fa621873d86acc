using System.Globalization;
using System.Text.Json.Serialization;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Compatibility;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Json;

/// <summary><c>xsk validate --json</c>. vramCoverageIncomplete only when a tile's chunks were too
/// scattered to keep every range (IntervalSet.MaxIntervals); digest only with <c>--digest</c>.</summary>
public sealed record ValidateJson(bool Valid, string Profile, string Driver, string Target, long Packets, long Bytes, long Errors, long Warnings,
    IReadOnlyList<DiagnosticJson> Diagnostics, IReadOnlyDictionary<string, long> Suppressed, IReadOnlyDictionary<string, ulong[][]> VramCoverage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? VramCoverageIncomplete,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DigestJson? Digest)
{
    /// <summary>From the report.</summary>
    public static ValidateJson Of(ValidationReport r)
    {
        var coverage = new Dictionary<string, ulong[][]>();
        foreach (var (tile, set) in r.VramCoverage)
            coverage[tile.ToString(CultureInfo.InvariantCulture)] = set.Ranges.Select(x => new ulong[] { x.Item1, x.Item2 }).ToArray();
        var incomplete = r.VramCoverage.Where(kv => kv.Value.Incomplete).Select(kv => (int)kv.Key).ToList();
        var suppressed = new Dictionary<string, long>();
        foreach (var (rule, count) in r.Suppressed()) suppressed[rule] = count;
        return new(r.Valid, CatalogIds.Of(r.Profile), CatalogIds.Of(r.Target.Driver), r.Target.Describe(), r.Packets, r.Bytes, r.Errors, r.Warnings,
            r.Diagnostics.Select(DiagnosticJson.Of).ToList(), suppressed, coverage, incomplete.Count > 0 ? incomplete : null,
            r.Digest is { } d ? DigestJson.Of(d) : null);
    }
}

/// <summary>One diagnostic; outcome, context and function only for a driver hazard.</summary>
public sealed record DiagnosticJson(string Rule, string Severity, long StreamOffset, long PacketIndex, string Message, string? Errno, int ErrnoValue, string? ReportedAt, string? Cause,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalString Context,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalString Function)
{
    /// <summary>From the diagnostic.</summary>
    public static DiagnosticJson Of(Diagnostic d)
    {
        var hazard = d.Hazard != DriverHazard.None;
        return new(d.Rule.Id, SeverityName(d.Severity), d.StreamOffset, d.PacketIndex, d.Message, ErrnoJson.Name(d.Errno), ErrnoJson.Value(d.Errno),
            JsonOut.ReportedAt(d.ReportedAt), ErrnoJson.Name(d.Cause),
            hazard ? HazardText.Outcome(d.Hazard) : null, hazard ? OptionalString.Of(HazardText.Context(d.Hazard)) : default, hazard ? OptionalString.Of(d.KernelFunction) : default);
    }

    /// <summary>hazard, error, warning or info.</summary>
    public static string SeverityName(Severity s) => s switch
    {
        Catalog.Severity.Hazard => "hazard",
        Catalog.Severity.Error => "error",
        Catalog.Severity.Warning => "warning",
        _ => "info",
    };
}

/// <summary><c>--digest</c>: CRC-32C of the stream, of each type's payloads and of each packet's.</summary>
public sealed record DigestJson(string Algorithm, string Crc32c, long Bytes, IReadOnlyList<DigestTypeJson> ByType, IReadOnlyList<DigestPacketJson> Packets, long PacketsNotKept)
{
    /// <summary>0x and eight hex digits.</summary>
    public static string Crc(uint crc) => "0x" + crc.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>From the digest.</summary>
    public static DigestJson Of(StreamDigest d) => new("crc32c", Crc(d.Crc32C), d.Bytes,
        d.ByType.Select(t => new DigestTypeJson(PacketTypeText.Id(t.Type), (byte)t.Type, t.Packets, t.PayloadBytes, Crc(t.Crc32C))).ToList(),
        d.Packets.Select(p => new DigestPacketJson(p.Index, p.StreamOffset, PacketTypeText.Id(p.Header.Type), p.Header.Offset, p.PayloadBytes, p.Complete, Crc(p.Crc32C))).ToList(),
        d.PacketsNotKept);
}

/// <summary>One packet type's payload digest.</summary>
public sealed record DigestTypeJson(string Type, byte TypeId, long Packets, ulong PayloadBytes, string Crc32c);

/// <summary>One packet's payload digest.</summary>
public sealed record DigestPacketJson(long Index, long StreamOffset, string Type, ulong Offset, ulong PayloadBytes, bool Complete, string Crc32c);

/// <summary><c>xsk compat --json</c>: the verdict for one stream on one target.</summary>
public sealed record CompatJson(bool Compatible, string Outcome, string? Errno, int ErrnoValue, long? PacketIndex, long? StreamOffset, string? ReportedAt, string? Rule,
    string Reason, CompatCauseJson? Cause, CompatHazardJson? Hazard, string Target, long Packets, long Bytes, IReadOnlyList<CompatWarningJson> Warnings, long WarningsDropped)
{
    /// <summary>From the result.</summary>
    public static CompatJson Of(CompatibilityResult r)
    {
        var f = r.Failure;
        return new(r.Compatible, r.Outcome, ErrnoJson.Name(r.Errno), ErrnoJson.Value(r.Errno),
            f is null ? null : f.PacketIndex >= 0 ? f.PacketIndex : null, f?.PacketOffset, f is null ? null : JsonOut.ReportedAt(f.At), f?.Rule.Id,
            r.Reason,
            f?.Cause is { } c ? new(c.Rule.Id, ErrnoJson.Name(c.InternalErrno), ErrnoJson.Value(c.InternalErrno), c.PacketIndex, c.PacketOffset, c.Message) : null,
            f is { Hazard: not DriverHazard.None }
                ? new(HazardText.Outcome(f.Hazard), HazardText.Context(f.Hazard), f.KernelFunction, f.PacketIndex, f.PacketOffset, HazardText.Aftermath(f.Hazard)) : null,
            r.Target.Describe(), r.Packets, r.Bytes,
            r.Warnings.Select(x => new CompatWarningJson(x.Rule.Id, x.PacketIndex, x.StreamOffset, x.Message)).ToList(), r.WarningsDropped);
    }
}

/// <summary>The violation that caused a finish-time failure.</summary>
public sealed record CompatCauseJson(string Rule, string? Errno, int ErrnoValue, long PacketIndex, long StreamOffset, string Message);

/// <summary>A driver hazard: what happens, where in the kernel, after what.</summary>
public sealed record CompatHazardJson(string Outcome, string? Context, string? Function, long PacketIndex, long StreamOffset, string Aftermath);

/// <summary>A warning on the way.</summary>
public sealed record CompatWarningJson(string Rule, long PacketIndex, long StreamOffset, string Message);
