using System.Text.Json;
using System.Text.Json.Nodes;
using XeStreamKit.Driver;

namespace XeStreamKit.Harness.Corpus;

/// <summary>JSONTestSuite-style kinds: must be accepted, must be rejected, implementation-defined.</summary>
public enum VectorKind
{
    /// <summary><c>y_</c>: the driver accepts it.</summary>
    Accept,
    /// <summary><c>n_</c>: the driver rejects it (errno, when, which packet).</summary>
    Reject,
    /// <summary><c>i_</c>: differs between driver versions or is left open by the sources.</summary>
    ImplementationDefined,
}

/// <summary>What a restore of a vector does: accepted, or the errno, when and from which packet,
/// and for a driver hazard the kernel oops or hang and the kernel function where it strikes.</summary>
public sealed record Outcome(bool Accepted, Errno Errno = Errno.None, ReportedAt At = ReportedAt.None, long? PacketIndex = null, string? Rule = null)
{
    /// <summary>A kernel oops or a hang (besides the errno, if any); <see cref="DriverHazard.None"/> otherwise.</summary>
    public DriverHazard Hazard { get; init; }

    /// <summary>For a hazard: the kernel function where it strikes (file@commit:function, then :L&lt;first&gt;-L&lt;last&gt; where the
    /// lines were counted: <see cref="KernelSourceLines"/>).</summary>
    public string? Function { get; init; }

    /// <summary>The restore ends in a driver hazard (<paramref name="hazard"/>) on packet <paramref name="packet"/>.</summary>
    public static Outcome Crash(DriverHazard hazard, Errno errno, ReportedAt at, long packet, string rule, string function) =>
        new(false, errno, at, packet, rule) { Hazard = hazard, Function = function };

    /// <summary>The restore succeeds.</summary>
    public static Outcome Accept { get; } = new(true);

    /// <summary>The restore fails with <paramref name="errno"/> on the write() completing packet <paramref name="packet"/>.</summary>
    public static Outcome OnWrite(Errno errno, long packet, string rule) => new(false, errno, ReportedAt.Write, packet, rule);

    /// <summary>Leaving RESUMING fails with <paramref name="errno"/> (packet: the one whose GT failed, if any).</summary>
    public static Outcome AtFinish(Errno errno, string rule, long? packet = null) => new(false, errno, ReportedAt.Finish, packet, rule);

    /// <summary>One line.</summary>
    public override string ToString()
    {
        if (Accepted) return "accepted";
        var hazard = Hazard == DriverHazard.None ? "" : $"{HazardText.Phrase(Hazard)} ({HazardText.Outcome(Hazard)}{(Function is null ? "" : " in " + Function)}); ";
        var where = At switch
        {
            ReportedAt.Write => PacketIndex is { } p ? $"on write() of packet #{p}" : "on a write()",
            ReportedAt.Finish => "when leaving RESUMING",
            ReportedAt.Setup => "entering RESUMING",
            _ => "",
        };
        return $"{hazard}{(Errno == Errno.None ? (Hazard == DriverHazard.None ? "rejected" : "no errno") : ErrnoText.Name(Errno))} {where}{(Rule is null ? "" : $" ({Rule})")}".Trim();
    }

    /// <summary>
    /// True when <paramref name="actual"/> is this outcome as far as the implementation can tell:
    /// fields it cannot observe (null packet or rule, <see cref="Errno.None"/> or
    /// <see cref="ReportedAt.None"/> on a rejection) are not compared.
    /// </summary>
    public bool Matches(Outcome actual)
    {
        if (Accepted != actual.Accepted) return false;
        if (Accepted) return true;
        // An implementation that sees nothing but accept/reject (an exec parser) cannot observe a hazard.
        if (actual.Hazard != Hazard && !(actual.Hazard == DriverHazard.None && actual.At == ReportedAt.None)) return false;
        return (actual.Errno == Errno.None || actual.Errno == Errno)
            && (actual.At == ReportedAt.None || actual.At == At)
            && (actual.PacketIndex is null || PacketIndex is null || actual.PacketIndex == PacketIndex)
            && (actual.Rule is null || Rule is null || actual.Rule == Rule)
            && (actual.Function is null || Function is null || actual.Function == Function);
    }
}

/// <summary>One vector of the corpus and what the driver does with it.</summary>
public sealed record CorpusEntry
{
    /// <summary>File name without extension: <c>y_</c>, <c>n_</c> or <c>i_</c> then a description.</summary>
    public required string Name { get; init; }

    /// <summary>The kind, from the name's prefix.</summary>
    public VectorKind Kind => Name[0] switch { 'y' => VectorKind.Accept, 'n' => VectorKind.Reject, _ => VectorKind.ImplementationDefined };

    /// <summary>The restore target the expectation holds for (a target spec).</summary>
    public required string Target { get; init; }

    /// <summary>What the driver does, for every driver version unless <see cref="ByDriver"/> says otherwise.</summary>
    public required Outcome Expect { get; init; }

    /// <summary>Outcomes that differ for a driver version.</summary>
    public IReadOnlyDictionary<DriverVersion, Outcome> ByDriver { get; init; } = new Dictionary<DriverVersion, Outcome>();

    /// <summary>The rule ids <c>validate --profile strict</c> reports for the vector, exactly.</summary>
    public IReadOnlyList<string> Strict { get; init; } = [];

    /// <summary>Why, citing the kernel sources (file@commit:function).</summary>
    public required string Why { get; init; }

    /// <summary>True when the sources leave the outcome open (an <c>i_</c> vector whose expectation is XeStreamKit's reading).</summary>
    public bool Open { get; init; }

    /// <summary>False when the bytes are too large to store: the runner regenerates them.</summary>
    public bool Stored { get; init; } = true;

    /// <summary>False when the vector needs a target property a real device cannot be given (e.g. an old GuC).</summary>
    public bool Portable { get; init; } = true;

    /// <summary>Length of the vector in bytes.</summary>
    public long Size { get; init; }

    /// <summary>SHA-256 of the bytes (hex), for stored vectors.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The outcome for <paramref name="driver"/>.</summary>
    public Outcome ExpectFor(DriverVersion driver) => ByDriver.TryGetValue(driver, out var o) ? o : Expect;
}

/// <summary>The corpus manifest (<c>manifest.json</c>): every vector with its expectation.</summary>
public sealed class CorpusManifest
{
    /// <summary>The manifest's file name inside a corpus directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The vectors, in name order.</summary>
    public required IReadOnlyList<CorpusEntry> Vectors { get; init; }

    /// <summary>Writes the manifest as stable, indented JSON.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["corpus"] = "xe-sriov-migration",
            ["generator"] = "xsk corpus generate",
            ["description"] = "Vectors for the Intel Xe SR-IOV VF migration stream: y_ must be accepted, n_ must be rejected (errno, write or finish, packet, rule), i_ differ between driver versions or are left open. Expectations cite the kernel sources as file@commit:function (torvalds/linux, drivers/gpu/drm/xe/ unless another directory is named; drm_exec.c is drivers/gpu/drm/); outcome is errno, kernel-oops or hang; a hazard's function ends in :L<first>-L<last> where its lines were counted in the file at that commit (signature line to closing brace).",
            ["vectors"] = new JsonArray(Vectors.Select(Entry).ToArray<JsonNode?>()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject Entry(CorpusEntry e)
    {
        var o = new JsonObject
        {
            ["name"] = e.Name,
            ["file"] = e.Stored ? e.Name + ".bin" : null,
            ["kind"] = e.Name[..1],
            ["target"] = e.Target,
            ["expect"] = OutcomeJson(e.Expect),
        };
        if (e.ByDriver.Count > 0)
            o["expectByDriver"] = new JsonObject(e.ByDriver.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(CatalogIds.Of(kv.Key), (JsonNode?)OutcomeJson(kv.Value))));
        o["strict"] = new JsonArray(e.Strict.Select(s => (JsonNode?)s).ToArray());
        o["why"] = e.Why;
        if (e.Open) o["open"] = true;
        o["stored"] = e.Stored;
        if (!e.Portable) o["portable"] = false;
        o["size"] = e.Size;
        if (e.Sha256 is not null) o["sha256"] = e.Sha256;
        return o;
    }

    private static JsonObject OutcomeJson(Outcome x)
    {
        var o = new JsonObject { ["accepted"] = x.Accepted };
        if (x.Accepted) return o;
        o["outcome"] = HazardText.Outcome(x.Hazard);
        if (HazardText.Context(x.Hazard) is { } context) o["context"] = context;
        if (x.Function is { } f) o["function"] = f;
        o["errno"] = x.Errno == Errno.None ? null : ErrnoText.Name(x.Errno);
        o["reportedAt"] = x.At.ToString().ToLowerInvariant();
        if (x.PacketIndex is { } p) o["packetIndex"] = p;
        if (x.Rule is { } r) o["rule"] = r;
        return o;
    }

    /// <summary>Reads a manifest.</summary>
    /// <exception cref="InvalidDataException">The manifest is not one this tool writes.</exception>
    public static CorpusManifest Parse(string json, string path = FileName)
    {
        try
        {
            var root = JsonNode.Parse(json)!.AsObject();
            var vectors = root["vectors"]!.AsArray().Select(n => ParseEntry(n!.AsObject())).ToList();
            return new CorpusManifest { Vectors = vectors };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException or FormatException or ArgumentException)
        {
            var why = e is NullReferenceException or InvalidOperationException ? "a required field is missing, null or of the wrong type" : e.Message.ReplaceLineEndings(" ");
            throw new InvalidDataException($"{path}: not a corpus manifest ({why})", e);
        }
    }

    private static CorpusEntry ParseEntry(JsonObject o)
    {
        var byDriver = new Dictionary<DriverVersion, Outcome>();
        if (o["expectByDriver"] is JsonObject d)
            foreach (var (k, v) in d)
                byDriver[CatalogIds.TryParse(k, out DriverVersion dv) ? dv : throw new FormatException($"unknown driver '{k}'")] = ParseOutcome(v!.AsObject());
        return new CorpusEntry
        {
            Name = (string)o["name"]!,
            Target = (string)o["target"]!,
            Expect = ParseOutcome(o["expect"]!.AsObject()),
            ByDriver = byDriver,
            Strict = o["strict"]?.AsArray().Select(x => (string)x!).ToList() ?? [],
            Why = (string?)o["why"] ?? "",
            Open = (bool?)o["open"] ?? false,
            Stored = (bool?)o["stored"] ?? true,
            Portable = (bool?)o["portable"] ?? true,
            Size = (long?)o["size"] ?? 0,
            Sha256 = (string?)o["sha256"],
        };
    }

    private static Outcome ParseOutcome(JsonObject o)
    {
        if ((bool)o["accepted"]!) return Outcome.Accept;
        var errno = (string?)o["errno"] is { } e ? Enum.Parse<Errno>(e) : Errno.None;
        var at = Enum.Parse<ReportedAt>((string)o["reportedAt"]!, ignoreCase: true);
        return new Outcome(false, errno, at, (long?)o["packetIndex"], (string?)o["rule"])
        {
            Hazard = HazardText.Parse((string?)o["outcome"], (string?)o["context"]),
            Function = (string?)o["function"],
        };
    }
}
