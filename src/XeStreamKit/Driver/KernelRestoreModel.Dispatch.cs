using XeStreamKit.Catalog;
using XeStreamKit.Format;

namespace XeStreamKit.Driver;

public sealed partial class KernelRestoreModel
{
    /// <summary>VF_SW_FLAG_COUNT / MED_VF_SW_FLAG_COUNT: the scratch registers an MMIO payload holds.</summary>
    public const int MmioRegisterCount = 4;

    /// <summary>The MMIO payload size restore requires.</summary>
    public const ulong MmioPayloadBytes = MmioRegisterCount * MmioPayload.ElementSize;

    /// <summary>VF_VRAM_STATE_CHUNK_MAX_SIZE (SZ_512M): the largest VRAM chunk the driver saves.</summary>
    public const ulong VramStateChunkMaxSize = 512UL << 20;

    private enum VerdictKind { None, Apply, SkipUnknownType, AfterTrailer, SyncFailure, AsyncFailure, Hazard, Dropped }

    /// <summary>What happens to a GT packet once complete; every check depends only on its header
    /// and the GT's state, so it is decided when the header is complete (and the sink knows
    /// whether to stage the payload). Its message is made only when it is reported
    /// (<see cref="Describe"/>): diagnostic mode names a failed GT's cascade once, and the GT's
    /// later packets cost nothing.</summary>
    private readonly record struct GtVerdict(VerdictKind Kind, RuleInfo? Rule = null, int Field = 0, RuleViolation? Cause = null)
    {
        public static GtVerdict Dropped => new(VerdictKind.Dropped);
        public bool Applies => Kind == VerdictKind.Apply;
    }

    private GtVerdict DecideGtPacket()
    {
        var gt = _target.Gts[_gtIndex];
        var state = _gts[_gtIndex];
        if (SyncProblem(gt, state) is { } sync)
            return new GtVerdict(VerdictKind.SyncFailure, sync.Rule, sync.Field, sync.Rule == Rules.XeGtFailed ? state.Failure : null);
        if (state.Restored)
            return ++state.QueuedAfterRestore > RingSlots
                ? new GtVerdict(VerdictKind.Hazard, Rules.XeHazRingFull)
                : new GtVerdict(VerdictKind.AfterTrailer, Rules.XeAfterTrailer);
        if (!PacketTypeInfo.IsDefined(_header.Type)) return new GtVerdict(VerdictKind.SkipUnknownType, Rules.XeTypeUnknown, PacketHeader.FieldOffsets.Type);
        return WorkerProblem(gt) ?? new GtVerdict(VerdictKind.Apply);
    }

    /// <summary>xe_sriov_pf_migration_restore_produce's checks, in its order: the first one the
    /// packet fails after the check of <paramref name="after"/> (from the first when null).</summary>
    private (RuleInfo Rule, int Field)? SyncProblem(GtLayout gt, GtState state, RuleInfo? after = null)
    {
        var from = after is null ? 0 : after == Rules.XeHdrType ? 1 : after == Rules.XeHdrTile ? 2 : 3;
        if (from <= 0 && _header.Type == 0) return (Rules.XeHdrType, PacketHeader.FieldOffsets.Type);
        if (from <= 1 && _header.TileId != gt.TileId) return (Rules.XeHdrTile, PacketHeader.FieldOffsets.TileId);
        if (from <= 2 && state.Failure is not null) return (Rules.XeGtFailed, 0);
        return null;
    }

    /// <summary>The GT worker's handlers (xe_gt_sriov_pf_migration.c and friends).</summary>
    private GtVerdict? WorkerProblem(GtLayout gt)
    {
        var size = Packet.PayloadSize(_header);
        switch (_header.Type)
        {
            case PacketType.Ggtt when !_target.HasGgttNode(gt):
                return Async(Rules.XeGgttNode, PacketHeader.FieldOffsets.GtId);
            case PacketType.Ggtt when _target.GgttPayloadBytes is { } expected && size != expected:
                return Async(Rules.XeGgttSize, PacketHeader.FieldOffsets.Size);
            case PacketType.Mmio when size != MmioPayloadBytes:
                return Async(Rules.XeMmioSize, PacketHeader.FieldOffsets.Size);
            case PacketType.Guc when size == 0:
                return Async(Rules.XeGucEmpty, PacketHeader.FieldOffsets.Size);
            case PacketType.Guc when size < KlvCodec.DwordSize:
                return Async(Rules.XeGucDwords, PacketHeader.FieldOffsets.Size);
            case PacketType.Guc when size > GucBufferCacheBytes:
                return Async(Rules.XeGucCache, PacketHeader.FieldOffsets.Size);
            case PacketType.Vram when !_target.HasLmemObject(gt):
                return Async(Rules.XeVramLmem, PacketHeader.FieldOffsets.GtId);
            case PacketType.Vram:
                var end = _header.Offset + size;
                if (end < size || (_target.LmemBytes is { } lmem && end > lmem)) return Async(Rules.XeVramBounds, PacketHeader.FieldOffsets.Offset);
                return size == 0 ? new GtVerdict(VerdictKind.Hazard, Rules.XeHazVramEmpty, PacketHeader.FieldOffsets.Size) : null;
            default:
                return null;
        }
    }

    private static GtVerdict Async(RuleInfo rule, int field) => new(VerdictKind.AsyncFailure, rule, field);

    /// <summary>What <paramref name="rule"/>, one of the verdicts' rules, says about the current packet.</summary>
    private string Describe(RuleInfo rule, GtLayout gt, GtState state)
    {
        var size = Packet.PayloadSize(_header);
        var media = gt.Kind == GtKind.Media;
        if (rule == Rules.XeHdrType) return "packet type 0 is reserved";
        if (rule == Rules.XeHdrTile) return $"tile_id {_header.TileId}, but GT {gt.Id} is on tile {gt.TileId}";
        if (rule == Rules.XeGtFailed) return $"GT {gt.Id} already failed (packet #{state.Failure!.PacketIndex}: {state.Failure.Message})";
        if (rule == Rules.XeAfterTrailer) return $"GT {gt.Id} data after the trailer is queued and never applied ({state.QueuedAfterRestore} of {RingSlots} ring slots used)";
        if (rule == Rules.XeTypeUnknown) return $"unknown packet type {(byte)_header.Type} is skipped by the driver";
        if (rule == Rules.XeGgttNode)
            return media ? $"GGTT data for GT {gt.Id} (media), which has no GGTT" : "GGTT data, but the target VF has no GGTT provisioned";
        if (rule == Rules.XeGgttSize)
            return $"GGTT payload is {size} bytes, the target VF's PTE array is {_target.GgttPayloadBytes!.Value} bytes ({TargetProfile.SizeText(_target.GgttBytes!.Value)} of GGTT)";
        if (rule == Rules.XeMmioSize) return $"MMIO payload is {size} bytes, not {MmioPayloadBytes}";
        if (rule == Rules.XeGucEmpty) return "GuC packet has no data (the 0-byte GuC buffer cannot be sub-allocated: ENOBUFS)";
        if (rule == Rules.XeGucDwords) return $"GuC packet of {size} bytes is 0 dwords: any GuC reply fails (0: ENODATA, more: EPROTO)";
        if (rule == Rules.XeGucCache) return $"GuC blob of {size} bytes does not fit the {GucBufferCacheBytes >> 20} MiB GuC buffer cache (ENOBUFS)";
        if (rule == Rules.XeHazRingFull) return RingFullMessage(gt);
        if (rule == Rules.XeHazVramEmpty) return VramEmptyMessage(gt);
        if (rule == Rules.XeVramLmem)
            return media ? $"VRAM data for GT {gt.Id} (media), which has no LMEM" : "VRAM data, but the target has no local memory";
        if (rule == Rules.XeVramBounds)
        {
            var end = _header.Offset + size;
            return end < size
                ? $"VRAM chunk at 0x{_header.Offset:X} of {size} bytes wraps past 2^64"
                : $"VRAM chunk [0x{_header.Offset:X}, 0x{end:X}) ends beyond the target's {TargetProfile.SizeText(_target.LmemBytes!.Value)} of LMEM";
        }
        throw new InvalidOperationException($"{rule.Id} is not a GT packet verdict.");
    }

    private RuleViolation? DispatchGtPacket()
    {
        var gt = _target.Gts[_gtIndex];
        var state = _gts[_gtIndex];
        switch (_verdict.Kind)
        {
            case VerdictKind.SyncFailure:
                return SyncFailure(gt, state);
            case VerdictKind.AfterTrailer:
            case VerdictKind.SkipUnknownType:
                Warn(_verdict.Rule!, _packetOffset + _verdict.Field, Describe(_verdict.Rule!, gt, state));
                return null;
            case VerdictKind.AsyncFailure:
                // The write succeeds; the GT worker fails and the GT enters RESTORE_FAILED.
                state.Failure = Violation(_verdict.Rule!, _verdict.Field, Describe(_verdict.Rule!, gt, state));
                return null;
            case VerdictKind.Hazard:
                return Hazard(_verdict.Rule!, _verdict.Field, _verdict.Rule == Rules.XeHazRingFull ? RingFunction : WorkerFaultFunction(PacketType.Vram), Describe(_verdict.Rule!, gt, state));
            case VerdictKind.Apply:
                _sink?.CommitPacket();
                return null;
            default:
                return null;
        }
    }

    private RuleViolation? SyncFailure(GtLayout gt, GtState state)
    {
        var rule = _verdict.Rule!;
        if (rule == Rules.XeGtFailed)
        {
            // Diagnostic mode names a failed GT's cascade once, not on every later packet.
            if (_continueAfterErrors && state.CascadeReported) return null;
            state.CascadeReported = true;
        }
        var first = Report(new RuleViolation(rule, rule.ErrnoFor(_target.Driver), rule.Reported, _index,
            _packetOffset + _verdict.Field, _header.Type, Describe(rule, gt, state)) { PacketOffset = _packetOffset, Cause = _verdict.Cause });
        if (_continueAfterErrors)
            for (var more = SyncProblem(gt, state, rule); more is { } m; more = SyncProblem(gt, state, m.Rule))
                Violation(m.Rule, m.Field, Describe(m.Rule, gt, state));
        return first;
    }

    private RuleViolation? DispatchDescriptor()
    {
        if (_header.TileId != 0 || _header.GtId != 0)
            return Violation(Rules.XeDescRoute, PacketHeader.FieldOffsets.TileId, $"descriptor on tile {_header.TileId} GT {_header.GtId}, must be tile 0 GT 0");
        if (_header.Size % KlvCodec.DwordSize != 0)
            return Violation(Rules.XeDescDwords, PacketHeader.FieldOffsets.Size, $"descriptor size {_header.Size} is not a multiple of {KlvCodec.DwordSize} (descriptor not in KLV format)");

        var parser = _descriptor ?? new DescriptorParser(this, _packetOffset + Packet.HeaderSize);
        parser.Complete();
        // 6.19 acts on each KLV before looking at the next, so a mismatch ahead of a truncated KLV
        // wins; newer kernels count every KLV first (xe_guc_klv_count), so truncation wins.
        var problems = new List<(RuleInfo Rule, long Offset, string Message)>(parser.Mismatches);
        if (parser.Truncation is { } cut)
        {
            if (_target.Driver == DriverVersion.V6_19) problems.Add(cut);
            else problems.Insert(0, cut);
        }
        RuleViolation? first = null;
        foreach (var (rule, offset, message) in problems)
        {
            var v = Report(new RuleViolation(rule, rule.ErrnoFor(_target.Driver), rule.Reported, _index, offset, PacketType.Descriptor, message) { PacketOffset = _packetOffset });
            first ??= v;
            if (!_continueAfterErrors) break;
        }
        if (_selfDescribed && !_descriptorAdopted) AdoptDescriptor(parser);
        return first;
    }

    /// <summary>For validation without a target: the first descriptor says what device the
    /// stream comes from, and the stream is checked against a VF of that device.</summary>
    private void AdoptDescriptor(DescriptorParser parser)
    {
        _descriptorAdopted = true;
        var self = TargetProfile.SelfDescribed(parser.DeviceId, parser.RevisionId, _target.Driver);
        _target = self with { DeviceId = parser.DeviceId ?? _target.DeviceId, RevisionId = parser.RevisionId ?? _target.RevisionId };
        if (_target.Gts.Count != _gts.Length) _gts = NewGtStates(_target);
    }

    /// <summary>Streams the descriptor's KLVs and records what the driver would act on.</summary>
    private sealed class DescriptorParser(KernelRestoreModel model, long payloadOffset) : IKlvSink
    {
        private readonly KlvDecoder _decoder = new(payloadOffset, keptValueDwords: 1);
        private (KlvKey Key, long Index, long Offset)? _awaitingValue;

        public List<(RuleInfo Rule, long Offset, string Message)> Mismatches { get; } = [];
        public (RuleInfo Rule, long Offset, string Message)? Truncation { get; private set; }
        public uint? DeviceId { get; private set; }
        public uint? RevisionId { get; private set; }

        public void Push(ReadOnlySpan<byte> chunk) => _decoder.Push(chunk, this);

        public void OnKlv(long index, KlvHeader header, long streamOffset, ReadOnlySpan<uint> valuePrefix)
        {
            // The driver reads the dword after a DEVID/REVID header whatever the KLV's length says:
            // with len 0 that is the next KLV's header.
            if (_awaitingValue is { } pending)
            {
                Check(pending.Key, KlvCodec.HeaderDword(header), pending.Index, pending.Offset);
                _awaitingValue = null;
            }
            if (header.Key is KlvKey.DeviceId or KlvKey.RevisionId)
            {
                if (header.Len == 0) _awaitingValue = (header.Key, index, streamOffset);
                else Check(header.Key, valuePrefix[0], index, streamOffset);
            }
            else
                model.Warn(Rules.XeDescKey, streamOffset, $"unknown KLV key 0x{(ushort)header.Key:X4} ({header.Len} dwords) is skipped by the driver");
        }

        public void Complete()
        {
            if (_decoder.Complete() is { } cut)
                Truncation = (Rules.XeDescKlv, cut.StreamOffset - KlvHeader.Size,
                    $"KLV #{cut.Index} runs past the end of the descriptor ({cut.Present / KlvCodec.DwordSize} of {cut.Expected / KlvCodec.DwordSize} value dwords present: truncated KLV)");
            // [inference] A DEVID/REVID with len 0 as the last KLV reads past the payload; the
            // buffer is zero-filled (kvzalloc), so 0 is assumed.
            if (_awaitingValue is { } pending) Check(pending.Key, 0, pending.Index, pending.Offset);
            _awaitingValue = null;
        }

        private void Check(KlvKey key, uint value, long index, long offset)
        {
            var isDev = key == KlvKey.DeviceId;
            if (isDev) DeviceId ??= value;
            else RevisionId ??= value;
            if (model._selfDescribed && !model._descriptorAdopted) return;
            var expected = isDev ? model._target.DeviceId : model._target.RevisionId;
            if (value == expected) return;
            Mismatches.Add(isDev
                ? (Rules.XeDescDevid, offset, $"descriptor devid 0x{value:X4} != target 0x{expected:X4}")
                : (Rules.XeDescRevid, offset, $"descriptor revid 0x{value:X} != target 0x{expected:X} (KLV #{index})"));
        }
    }
}
