using XeStreamKit.Catalog;
using XeStreamKit.Format;
using XeStreamKit.Framing;

namespace XeStreamKit.Driver;

/// <summary>
/// The xe driver's restore semantics, once: what a VF in RESUMING does with the bytes written to
/// its migration data file (xe-vfio-pci data fd or debugfs <c>migration_data</c>), and what
/// leaving RESUMING reports. Validator (kernel profile), compatibility prediction and the
/// emulated device all run streams through this class.
/// </summary>
/// <remarks>
/// Mirrors, step by step (xe_sriov_packet.c@82cb10c8bc50 and @83675851547e, xe_sriov_pf_migration.c@1ed30397c0b9,
/// xe_gt_sriov_pf_migration.c@09af64eba63e, the GT control state machine of the v5 series):
/// <list type="number">
/// <item><c>xe_sriov_packet_write_single</c>: headers and payloads split across writes at any
/// byte (framed by the <see cref="PacketFramer"/>, its <c>hdr_remaining</c>/<c>remaining</c>);
/// a complete header is checked at once (version, GT, allocation);</item>
/// <item><c>xe_sriov_pf_migration_restore_produce</c>: a complete packet is dispatched -
/// descriptor and trailer synchronously, GT data to the GT's ring (type 0, tile and failed-GT
/// checks first);</item>
/// <item>the per-GT worker: GGTT, MMIO, GuC and VRAM handlers; a failure marks the GT failed.
/// The worker is modelled as finishing each packet before the next write, so a later write for
/// a failed GT fails with EIO (a slower worker shows the failure only at finish);</item>
/// <item>finish (RESUMING -> STOP): each GT in turn; a failed GT gives EIO, a GT without the
/// trailer times out (ETIMEDOUT after 20 s).</item>
/// </list>
/// Besides an errno, a restore can end in a driver hazard (KernelRestoreModel.Hazards.cs): a kernel
/// oops in write() or in a GT worker, or a write() that never returns.
/// After a failed write the real driver's state is undefined (6.19's xe_sriov_packet_write_single
/// frees the failed packet but leaves it pending), so the model refuses
/// further writes unless it runs in diagnostic mode (<c>continueAfterErrors</c>), where it goes on
/// as if the failed packet had been dropped, to report every problem.
/// </remarks>
public sealed partial class KernelRestoreModel
{
    /// <summary>Seconds each GT waits for RESTORED when leaving RESUMING (RESTORE_WIP timeout).</summary>
    internal const int RestoreTimeoutSeconds = 20;

    /// <summary>kvmalloc refuses sizes above INT_MAX.</summary>
    internal const ulong KvmallocLimit = int.MaxValue;

    private readonly bool _selfDescribed;
    private readonly bool _continueAfterErrors;
    private readonly IRestoreObserver? _observer;
    private readonly IRestoreSink? _sink;
    private PacketFramer _framer;
    private GtState[] _gts;
    private TargetProfile _target;
    private PacketHeader _header;
    private int _gtIndex;
    private long _index = -1;
    private long _packetOffset;
    private bool _observerWantsPayload;
    private GtVerdict _verdict;
    private DescriptorParser? _descriptor;
    private bool _descriptorAdopted;
    private RuleViolation? _dead;

    private sealed class GtState
    {
        public RuleViolation? Failure;
        public bool Restored;
        public bool CascadeReported;
        public int QueuedAfterRestore;
    }

    /// <summary>A restore into <paramref name="target"/>.</summary>
    /// <param name="target">The VF restored into.</param>
    /// <param name="sink">Receives the state the driver applies (emulated devices).</param>
    /// <param name="observer">Watches packets and violations (validators).</param>
    /// <param name="continueAfterErrors">Diagnostic mode: report every violation instead of stopping at the first failed write.</param>
    /// <param name="selfDescribed">The target is what the stream's first descriptor describes (validation without a target).</param>
    public KernelRestoreModel(TargetProfile target, IRestoreSink? sink = null, IRestoreObserver? observer = null, bool continueAfterErrors = false, bool selfDescribed = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _sink = sink;
        _observer = observer;
        _continueAfterErrors = continueAfterErrors;
        _selfDescribed = selfDescribed;
        _gts = NewGtStates(target);
    }

    /// <summary>The target (for a self-described model, as refined by the stream's descriptor).</summary>
    public TargetProfile Target => _target;

    /// <summary>Bytes written so far (absolute position in the stream).</summary>
    public long Position => _framer.Position;

    /// <summary>Packets whose header is complete.</summary>
    public long PacketCount => _framer.PacketCount;

    /// <summary>The failed setup or write that ended the restore, if any (in diagnostic mode, only
    /// a failed setup: writes go on).</summary>
    public RuleViolation? Failure => _dead;

    /// <summary>True when the model takes no more writes: the restore ended on a failure and the
    /// model does not continue after errors.</summary>
    public bool Stopped => _dead is not null && !_continueAfterErrors;

    /// <summary>True when a packet is partly written.</summary>
    private bool InsidePacket => !_framer.AtBoundary;

    /// <summary>Entering RESUMING: fails with ENOTTY when the target cannot migrate.</summary>
    public RuleViolation? Setup()
    {
        if (_selfDescribed || _target.MigrationUnavailableReason() is not { } reason) return null;
        var v = new RuleViolation(Rules.XeTgtMigration, Rules.XeTgtMigration.ErrnoFor(_target.Driver), ReportedAt.Setup, -1, 0, null,
            $"migration is not available on the target: {reason}");
        Report(v);
        return _dead = v;
    }

    /// <summary>
    /// One write() to the migration data file: returns null when it succeeds, or the failure the
    /// driver reports for it (the whole write fails; the driver never returns a short count).
    /// </summary>
    public RuleViolation? Write(ReadOnlySpan<byte> data)
    {
        if (Stopped) return _dead;
        RuleViolation? first = null;
        while (!data.IsEmpty)
        {
            RuleViolation? failure;
            var step = _framer.Next(data);
            var taken = data[..step.Consumed];
            data = data[step.Consumed..];
            if (step.HeaderComplete)
                failure = HeaderComplete();
            else if (step.IsPayload)
            {
                PayloadBytes(taken);
                failure = step.PacketComplete ? PacketComplete() : null;
            }
            else
                continue;
            if (failure is null) continue;
            first ??= failure;
            if (!_continueAfterErrors) return _dead = failure;
        }
        return first;
    }

    /// <summary>Payload bytes of the current packet that nothing needs to see (no sink applies them,
    /// no observer wants them, the driver does not parse them): they may be skipped, not read.</summary>
    internal ulong SkippablePayload => _framer.InPayload && _descriptor is null && !_observerWantsPayload && !(_verdict.Applies && _sink is not null) ? _framer.PayloadRemaining : 0;

    /// <summary>Accounts for <paramref name="count"/> skippable payload bytes without their content.</summary>
    internal RuleViolation? Skip(ulong count)
    {
        if (count == 0) return null;
        if (count > SkippablePayload) throw new InvalidOperationException($"Only {SkippablePayload} payload bytes can be skipped here, not {count}.");
        if (!_framer.Skip(count)) return null;
        var failure = PacketComplete();
        if (failure is not null && !_continueAfterErrors) _dead = failure;
        return failure;
    }

    /// <summary>Leaving RESUMING (RESUMING -> STOP, or a read of debugfs <c>restore</c>): null when
    /// every GT restored, otherwise the first GT's failure (EIO) or timeout (ETIMEDOUT).</summary>
    public RuleViolation? Finish()
    {
        if (_framer.Cut is { } cut)
        {
            Report(new RuleViolation(Rules.XeTruncated, Errno.None, ReportedAt.None, cut.PacketIndex, cut.PacketOffset,
                cut.Type, $"{cut.EndsInside}; the driver never dispatches it"));
            if (!cut.InHeader && _verdict.Applies) _sink?.AbortPacket();
            if (cut.InHeader) _observer?.OnPartialHeader(_framer.PartialHeader);
            _framer.Abandon();
        }
        _observer?.OnEnd(_framer.Position);
        if (Stopped) return _dead;

        RuleViolation? result = null;
        for (var i = 0; i < _gts.Length; i++)
        {
            var gt = _target.Gts[i];
            RuleViolation? v = null;
            if (_gts[i].Failure is { } cause)
                v = new RuleViolation(cause.Rule, Errno.EIO, ReportedAt.Finish, cause.PacketIndex, cause.StreamOffset, cause.PacketType,
                    $"GT {gt.Id} failed on packet #{cause.PacketIndex}: {cause.Message}") { Cause = cause, PacketOffset = cause.PacketOffset };
            else if (!_gts[i].Restored)
            {
                v = new RuleViolation(Rules.XeTrlMissing, Rules.XeTrlMissing.ErrnoFor(_target.Driver), ReportedAt.Finish, -1, _framer.Position, null,
                    $"no trailer: GT {gt.Id} never reaches RESTORED (the driver waits {RestoreTimeoutSeconds} s)");
                Report(v);
            }
            if (v is not null)
            {
                result = v;
                break;
            }
        }
        return result ?? _dead;
    }

    private RuleViolation? HeaderComplete()
    {
        _header = _framer.Header;
        _index = _framer.PacketIndex;
        _packetOffset = _framer.PacketOffset;
        var remaining = _framer.PayloadRemaining;
        _verdict = default;
        _descriptor = null;
        _observer?.OnPacketStart(_header, _index, _packetOffset);
        _observerWantsPayload = _observer?.WantsPayload(_header) ?? false;
        _gtIndex = _target.GtIndex(_header.GtId);

        // xe_sriov_packet_init_from_hdr: version, then pkt_init: the GT, then the allocation.
        RuleViolation? failure = null;
        if (_header.Version != PacketHeader.ValidValues.Version)
            failure = VersionMismatch();
        else if (_gtIndex < 0)
            failure = Violation(Rules.XeHdrGt, PacketHeader.FieldOffsets.GtId, $"gt_id {_header.GtId} is not a GT of the target (GTs {string.Join(", ", _target.Gts.Select(g => g.Id))})");
        else if (AllocationFailure() is { } alloc)
            failure = alloc;

        if (failure is not null)
        {
            // In diagnostic mode the packet is framed on (by its size) but never dispatched.
            _verdict = GtVerdict.Dropped;
            return remaining == 0 ? PacketDone(failure) : failure;
        }

        if (_header.Type == PacketType.Descriptor)
        {
            // A size that is not whole dwords fails before any KLV is looked at.
            if (remaining % KlvCodec.DwordSize == 0) _descriptor = new DescriptorParser(this, _packetOffset + Packet.HeaderSize);
        }
        else if (_header.Type != PacketType.Trailer)
        {
            _verdict = DecideGtPacket();
            if (_verdict.Applies) _sink?.BeginPacket(_header);
        }
        return remaining == 0 ? PacketComplete() : null;
    }

    private RuleViolation? AllocationFailure()
    {
        var size = Packet.PayloadSize(_header);
        if (size == 0) return null;
        if (_header.Type == PacketType.Vram)
        {
            var staging = (size + 4095) & ~4095UL;
            if (staging < size)
                return Violation(Rules.XeHdrVramWrap, PacketHeader.FieldOffsets.Size, $"VRAM size 0x{size:X} rounded up to whole pages wraps to 0x{staging:X}: creating a {staging}-byte staging buffer object fails");
            return staging > _target.HostMemoryBytes
                ? Violation(Rules.XeHdrAlloc, PacketHeader.FieldOffsets.Size, $"a {size}-byte VRAM staging buffer does not fit the host's {TargetProfile.SizeText(_target.HostMemoryBytes)} of memory")
                : null;
        }
        return size > KvmallocLimit
            ? Violation(Rules.XeHdrAlloc, PacketHeader.FieldOffsets.Size, $"a {size}-byte {PacketTypeText.Id(_header.Type)} payload cannot be allocated (kvzalloc refuses more than {KvmallocLimit} bytes)")
            : null;
    }

    private void PayloadBytes(ReadOnlySpan<byte> chunk)
    {
        _descriptor?.Push(chunk);
        if (_observerWantsPayload) _observer!.OnPayload(chunk);
        if (_verdict.Applies) _sink?.Payload(chunk);
    }

    private RuleViolation? PacketComplete()
    {
        RuleViolation? failure;
        if (_verdict.Kind == VerdictKind.Dropped) failure = null;
        else if (_header.Type == PacketType.Descriptor) failure = DispatchDescriptor();
        else if (_header.Type == PacketType.Trailer) failure = DispatchTrailer();
        else failure = DispatchGtPacket();
        return PacketDone(failure);
    }

    private RuleViolation? PacketDone(RuleViolation? failure)
    {
        _descriptor = null;
        _observer?.OnPacketEnd();
        return failure;
    }

    private RuleViolation? DispatchTrailer()
    {
        RuleViolation? failure = null;
        if (_header.TileId != 0 || _header.GtId != 0)
            failure = Violation(Rules.XeTrlRoute, PacketHeader.FieldOffsets.TileId, $"trailer on tile {_header.TileId} GT {_header.GtId}, must be tile 0 GT 0");
        else if (_header.Offset != 0 || _header.Size != 0)
            failure = Violation(Rules.XeTrlEmpty, PacketHeader.FieldOffsets.Offset, $"trailer has offset 0x{_header.Offset:X} and size {_header.Size}, must be 0 and 0");
        if (failure is not null) return failure;
        // restore_data_done on every GT: a GT with an empty ring (always, with the eager worker) is RESTORED.
        foreach (var gt in _gts)
            if (gt.Failure is null) gt.Restored = true;
        return null;
    }

    private static GtState[] NewGtStates(TargetProfile target) => target.Gts.Select(_ => new GtState()).ToArray();

    private RuleViolation Violation(RuleInfo rule, int headerFieldOffset, string message) =>
        Report(new RuleViolation(rule, rule.ErrnoFor(_target.Driver), rule.Reported, _index, _packetOffset + headerFieldOffset, _header.Type, message) { PacketOffset = _packetOffset });

    private RuleViolation Report(RuleViolation v)
    {
        _observer?.OnViolation(v);
        return v;
    }

    private void Warn(RuleInfo rule, long offset, string message) =>
        Report(new RuleViolation(rule, Errno.None, ReportedAt.None, _index, offset, _header.Type, message) { PacketOffset = _packetOffset });
}
