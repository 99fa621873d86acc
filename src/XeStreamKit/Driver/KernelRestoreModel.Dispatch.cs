using XeStreamKit.Compatibility;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Driver;

public sealed partial class KernelRestoreModel
{
    /// <summary>VF_SW_FLAG_COUNT / MED_VF_SW_FLAG_COUNT: the scratch registers an MMIO payload holds.</summary>
    public const int MmioRegisterCount = 4;

    /// <summary>The MMIO payload size restore requires.</summary>
    public const ulong MmioPayloadBytes = MmioRegisterCount * MmioPayload.ElementSize;

    private enum VerdictKind { None, Apply, SkipUnknownType, AfterTrailer, SyncFailure, AsyncFailure, Dropped }

    /// <summary>What happens to a GT packet once complete; every check depends only on its header
    /// and the GT's state, so it is decided when the header is complete (and the sink knows
    /// whether to stage the payload).</summary>
    private readonly record struct GtVerdict(VerdictKind Kind, RuleInfo? Rule, int Field, string? Message, RuleViolation? Cause)
    {
        public static GtVerdict Dropped => new(VerdictKind.Dropped, null, 0, null, null);
        public bool Applies => Kind == VerdictKind.Apply;
    }

    private GtVerdict DecideGtPacket()
    {
        var gt = _target.Gts[_gtIndex];
        var state = _gts[_gtIndex];
        // Almost every packet has none: look at the (allocating) list only when there is one.
        if (_header.Type == 0 || _header.TileId != gt.TileId || state.Failure is not null)
            foreach (var p in SyncProblems(gt, state))
                return p;
        if (state.Restored) return new GtVerdict(VerdictKind.AfterTrailer, Rules.XeAfterTrailer, 0, $"GT {gt.Id} data after the trailer is queued and never applied", null);
        if (!PacketTypeInfo.IsDefined(_header.Type))
            return new GtVerdict(VerdictKind.SkipUnknownType, Rules.XeTypeUnknown, PacketHeader.FieldOffsets.Type, $"unknown packet type {(byte)_header.Type} is skipped by the driver", null);
        return WorkerProblem(gt) ?? new GtVerdict(VerdictKind.Apply, null, 0, null, null);
    }

    /// <summary>xe_sriov_pf_migration_restore_produce's checks, in its order.</summary>
    private IEnumerable<GtVerdict> SyncProblems(GtLayout gt, GtState state)
    {
        if (_header.Type == 0)
            yield return new GtVerdict(VerdictKind.SyncFailure, Rules.XeHdrType, PacketHeader.FieldOffsets.Type, "packet type 0 is reserved", null);
        if (_header.TileId != gt.TileId)
            yield return new GtVerdict(VerdictKind.SyncFailure, Rules.XeHdrTile, PacketHeader.FieldOffsets.TileId, $"tile_id {_header.TileId}, but GT {gt.Id} is on tile {gt.TileId}", null);
        if (state.Failure is { } cause)
            yield return new GtVerdict(VerdictKind.SyncFailure, Rules.XeGtFailed, 0, $"GT {gt.Id} already failed (packet #{cause.PacketIndex}: {cause.Message})", cause);
    }

    /// <summary>The GT worker's handlers (xe_gt_sriov_pf_migration.c and friends).</summary>
    private GtVerdict? WorkerProblem(GtLayout gt)
    {
        var size = Packet.PayloadSize(_header);
        string Where() => gt.Kind == GtKind.Media ? $"GT {gt.Id} (media)" : $"GT {gt.Id}";
        switch (_header.Type)
        {
            case PacketType.Ggtt when !_target.HasGgttNode(gt):
                return Async(Rules.XeGgttNode, PacketHeader.FieldOffsets.GtId,
                    gt.Kind == GtKind.Media ? $"GGTT data for {Where()}, which has no GGTT" : "GGTT data, but the target VF has no GGTT provisioned");
            case PacketType.Ggtt when _target.GgttPayloadBytes is { } expected && size != expected:
                return Async(Rules.XeGgttSize, PacketHeader.FieldOffsets.Size,
                    $"GGTT payload is {size} bytes, the target VF's PTE array is {expected} bytes ({TargetProfile.SizeText(_target.GgttBytes!.Value)} of GGTT)");
            case PacketType.Mmio when size != MmioPayloadBytes:
                return Async(Rules.XeMmioSize, PacketHeader.FieldOffsets.Size, $"MMIO payload is {size} bytes, not {MmioPayloadBytes}");
            case PacketType.Guc when size == 0:
                return Async(Rules.XeGucEmpty, PacketHeader.FieldOffsets.Size, "GuC packet has no data (GuC restores 0 dwords: ENODATA)");
            case PacketType.Vram when !_target.HasLmemObject(gt):
                return Async(Rules.XeVramLmem, PacketHeader.FieldOffsets.GtId,
                    gt.Kind == GtKind.Media ? $"VRAM data for {Where()}, which has no LMEM" : "VRAM data, but the target has no local memory");
            case PacketType.Vram:
                var end = _header.Offset + size;
                if (end < size)
                    return Async(Rules.XeVramBounds, PacketHeader.FieldOffsets.Offset, $"VRAM chunk at 0x{_header.Offset:X} of {size} bytes wraps past 2^64");
                if (_target.LmemBytes is { } lmem && end > lmem)
                    return Async(Rules.XeVramBounds, PacketHeader.FieldOffsets.Offset, $"VRAM chunk [0x{_header.Offset:X}, 0x{end:X}) ends beyond the target's {TargetProfile.SizeText(lmem)} of LMEM");
                return null;
            default:
                return null;
        }
    }

    private static GtVerdict Async(RuleInfo rule, int field, string message) => new(VerdictKind.AsyncFailure, rule, field, message, null);

    private RuleViolation? DispatchGtPacket()
    {
        switch (_verdict.Kind)
        {
            case VerdictKind.SyncFailure:
                // Diagnostic mode names a failed GT's cascade once, not on every later packet.
                if (_continueAfterErrors && _verdict.Rule == Rules.XeGtFailed && _gts[_gtIndex].CascadeReported) return null;
                if (_verdict.Rule == Rules.XeGtFailed) _gts[_gtIndex].CascadeReported = true;
                var first = Report(new RuleViolation(_verdict.Rule!, _verdict.Rule!.ErrnoFor(_target.Driver), _verdict.Rule.Reported, _index,
                    _packetOffset + _verdict.Field, _header.Type, _verdict.Message!) { PacketOffset = _packetOffset, Cause = _verdict.Cause });
                if (_continueAfterErrors)
                    foreach (var more in SyncProblems(_target.Gts[_gtIndex], _gts[_gtIndex]).Skip(1))
                        Violation(more.Rule!, more.Field, more.Message!);
                return first;
            case VerdictKind.AfterTrailer:
            case VerdictKind.SkipUnknownType:
                Warn(_verdict.Rule!, _packetOffset + _verdict.Field, _verdict.Message!);
                return null;
            case VerdictKind.AsyncFailure:
                // The write succeeds; the GT worker fails and the GT enters RESTORE_FAILED.
                _gts[_gtIndex].Failure = Violation(_verdict.Rule!, _verdict.Field, _verdict.Message!);
                return null;
            case VerdictKind.Apply:
                _sink?.CommitPacket();
                return null;
            default:
                return null;
        }
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
