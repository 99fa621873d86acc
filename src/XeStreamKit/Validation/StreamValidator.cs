using XeStreamKit.Catalog;
using XeStreamKit.Driver;

namespace XeStreamKit.Validation;

/// <summary>What to validate against.</summary>
public sealed record ValidationOptions
{
    /// <summary>The rule profile.</summary>
    public Profile Profile { get; init; } = Profile.Kernel;

    /// <summary>The restore target; null validates against the device the stream's descriptor names.</summary>
    public TargetProfile? Target { get; init; }

    /// <summary>Driver version when there is no explicit target.</summary>
    public DriverVersion Driver { get; init; } = DriverVersion.Newest;

    /// <summary>Diagnostics kept per rule (the rest are counted).</summary>
    public int MaxDiagnosticsPerRule { get; init; } = DiagnosticCollector.DefaultMaxPerRule;

    /// <summary>Told the stream position as it advances.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Also checksum every byte with CRC-32C (<see cref="ValidationReport.Digest"/>):
    /// the whole stream, the payloads of each type, each packet's payload. Every payload is then
    /// read, where structural validation of a file seeks over VRAM.</summary>
    public bool PayloadDigest { get; init; }

    /// <summary>Also told, in the same pass, everything the profile's diagnostics come from: each
    /// packet, the payloads it asks for, every violation of the kernel and strict rules (e.g. the
    /// HTML report drawing the stream). It cannot change the outcome.</summary>
    public IRestoreObserver? Watcher { get; init; }

    /// <summary>Per-packet digests kept in the report (the rest are counted).</summary>
    public int MaxPacketDigests { get; init; } = DefaultMaxPacketDigests;

    /// <summary>Per-packet digests kept by default: every packet of any save from the driver
    /// (which cuts VRAM in 512 MiB chunks) up to 2 TiB of VRAM, in 224 KiB. Keeping more costs
    /// more than it tells: a stream of a million 4 KiB chunks spent a third of its validation
    /// time faulting in fresh pages for the list.</summary>
    public const int DefaultMaxPacketDigests = 4096;

    /// <summary>Bytes asked of the source per read, at most <see cref="MaxReadChunkSize"/>.</summary>
    public int ReadChunkSize { get; init; } = RestorePump.DefaultChunkSize;

    /// <summary>Stop with a <see cref="MigrationStreamFormatException"/> ("not a migration stream")
    /// when no packet header so far is valid and either <see cref="NotAStreamHeaders"/> headers
    /// were read or one claims more than <see cref="NotAStreamPayload"/> bytes: an endless or
    /// random input (<c>/dev/zero</c>, <c>/dev/urandom</c>) then ends at once instead of being
    /// followed forever. Off by default (a library caller may want every diagnostic).</summary>
    public bool StopWhenNotAStream { get; init; }

    /// <summary>Invalid headers read, with none valid, before <see cref="StopWhenNotAStream"/> stops.</summary>
    public const int NotAStreamHeaders = 16;

    /// <summary>The most payload an invalid first header may claim before <see cref="StopWhenNotAStream"/> stops:
    /// the driver's largest packet, a 512 MiB VRAM chunk.</summary>
    public const ulong NotAStreamPayload = 512UL << 20;

    /// <summary>The largest read: a bigger buffer no longer fits the CPU caches, and the kernel's
    /// copy into it runs at memory speed, about half the speed measured with 64 KiB to 16 MiB
    /// (bench/README.md, read-size sweep); validation asks no more, whatever the chunk size set.</summary>
    public const int MaxReadChunkSize = RestorePump.DefaultChunkSize;
}

/// <summary>The outcome of a validation.</summary>
public sealed record ValidationReport(Profile Profile, TargetProfile Target, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyDictionary<string, long> Counts,
    long Errors, long Warnings, long Packets, long Bytes, IReadOnlyDictionary<byte, IntervalSet> VramCoverage)
{
    /// <summary>Packets and payload bytes per type, in type order.</summary>
    public IReadOnlyList<(Format.PacketType Type, long Count, ulong PayloadBytes)> PacketsByType { get; init; } = [];

    /// <summary>CRC-32C digests, when <see cref="ValidationOptions.PayloadDigest"/> asked for them.</summary>
    public StreamDigest? Digest { get; init; }

    /// <summary>What the driver makes of the stream, from the same pass: the failed setup, else the
    /// first failed write, else the failure leaving RESUMING; null when it restores. This is
    /// <see cref="XeStreamKit.Compatibility.CompatibilityCheck"/>'s answer for <see cref="ValidationOptions.Target"/>: in
    /// diagnostic mode the model runs exactly as a restore does up to its first failure. (Without
    /// a target, the VF of the device the descriptor names, whose setup is not checked.)</summary>
    public RuleViolation? DriverOutcome { get; init; }

    /// <summary>Diagnostics kept per rule (<see cref="ValidationOptions.MaxDiagnosticsPerRule"/>).</summary>
    public int MaxDiagnosticsPerRule { get; init; } = DiagnosticCollector.DefaultMaxPerRule;

    /// <summary>True when the profile reports no error.</summary>
    public bool Valid => Errors == 0;

    /// <summary>Occurrences of each rule that were counted but not kept.</summary>
    public IEnumerable<(string Rule, long Count)> Suppressed() =>
        Counts.Where(kv => kv.Value > MaxDiagnosticsPerRule).Select(kv => (kv.Key, kv.Value - MaxDiagnosticsPerRule));
}

/// <summary>
/// One-pass, constant-memory validation of a migration stream against a profile: the kernel
/// rules come from running the stream through the <see cref="KernelRestoreModel"/> in diagnostic
/// mode (the one model of the driver), the strict rules from a <see cref="StrictChecker"/>
/// watching the same pass. Never throws on bad data: every problem is a diagnostic.
/// </summary>
public static class StreamValidator
{
    /// <summary>Validates <paramref name="source"/> from its current position to its end.</summary>
    public static ValidationReport Validate(Stream source, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ValidationOptions();
        var collector = new DiagnosticCollector(options.Profile, options.MaxDiagnosticsPerRule);
        var coverage = new StreamStatsObserver(options.Watcher is { } watcher ? new RestoreObserverTee(collector, watcher) : collector);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadChunkSize, 1, nameof(options));
        KernelRestoreModel? model = null;
        IRestoreObserver observer = options.Profile == Profile.Strict ? new StrictChecker(coverage, () => model!.Target) : coverage;
        if (options.StopWhenNotAStream) observer = new NotAStreamGuard(observer);
        var digester = options.PayloadDigest ? new PayloadDigester(observer, options.MaxPacketDigests) : null;
        var target = options.Target ?? TargetProfile.SelfDescribed(null, null, options.Driver);
        model = new KernelRestoreModel(target, observer: (IRestoreObserver?)digester ?? observer, continueAfterErrors: true, selfDescribed: options.Target is null);
        var setup = model.Setup();
        var write = RestorePump.Run(source, model, options.Progress, Math.Min(options.ReadChunkSize, ValidationOptions.MaxReadChunkSize));
        var finish = model.Finish();
        return new ValidationReport(options.Profile, model.Target, collector.Diagnostics, collector.Counts, collector.Errors, collector.Warnings,
            model.PacketCount, model.Position, coverage.Coverage)
        {
            PacketsByType = coverage.ByType,
            Digest = digester?.Result(),
            DriverOutcome = setup ?? write ?? finish,
            MaxDiagnosticsPerRule = collector.MaxPerRule,
        };
    }

    /// <summary>Ends validation when nothing read so far looks like a migration stream (<see cref="ValidationOptions.StopWhenNotAStream"/>).</summary>
    private sealed class NotAStreamGuard(IRestoreObserver next) : ForwardingRestoreObserver(next)
    {
        private bool _sawValid;

        public override void OnPacketStart(in Format.PacketHeader header, long index, long streamOffset)
        {
            if (!_sawValid)
            {
                if (header.Version == Format.PacketHeader.ValidValues.Version && Format.PacketTypeInfo.IsDefined(header.Type)) _sawValid = true;
                else if (index + 1 >= ValidationOptions.NotAStreamHeaders || header.Size > ValidationOptions.NotAStreamPayload)
                    throw new MigrationStreamFormatException(streamOffset, index, null, "header",
                        index + 1 >= ValidationOptions.NotAStreamHeaders
                            ? $"invalid in each of the first {index + 1} packets (version {Format.PacketHeader.ValidValues.Version} and a known type expected): not a migration stream; stopped"
                            : $"invalid (version {header.Version}, type {(byte)header.Type}, size {header.Size}) with no valid header before it: not a migration stream; stopped");
            }
            base.OnPacketStart(header, index, streamOffset);
        }
    }

    /// <summary>Counts packets per type and records the LMEM ranges VRAM chunks cover, per tile, from headers alone.</summary>
    private sealed class StreamStatsObserver(IRestoreObserver next) : ForwardingRestoreObserver(next)
    {
        private readonly Dictionary<byte, IntervalSet> _coverage = [];
        private readonly Inspection.PacketTally _tally = new();

        public IReadOnlyDictionary<byte, IntervalSet> Coverage => _coverage;

        public IReadOnlyList<(Format.PacketType, long, ulong)> ByType => _tally.ByType;

        public override void OnPacketStart(in Format.PacketHeader header, long index, long streamOffset)
        {
            _tally.Add(header.Type, header.Size);
            if (header.Type == Format.PacketType.Vram && header.Offset + header.Size >= header.Offset)
            {
                if (!_coverage.TryGetValue(header.TileId, out var set)) _coverage[header.TileId] = set = new IntervalSet();
                set.Add(header.Offset, header.Offset + header.Size);
            }
            base.OnPacketStart(header, index, streamOffset);
        }
    }
}
