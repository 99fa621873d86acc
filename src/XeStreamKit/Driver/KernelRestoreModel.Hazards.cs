using XeStreamKit.Catalog;
using XeStreamKit.Format;

namespace XeStreamKit.Driver;

/// <summary>
/// The images the driver does not survive: a kernel oops (inside write(), or in a GT's restore
/// worker) or a write() that never returns. Read from the code, not seen on hardware
/// ([inference]); the rules are XE-HAZ-* in spec/rules.yaml.
/// </summary>
public sealed partial class KernelRestoreModel
{
    /// <summary>XE_GT_SRIOV_PF_MIGRATION_RING_SIZE: packets a GT's restore ring holds.</summary>
    internal const int RingSlots = 5;

    /// <summary>The GuC buffer cache of a PF that supports migration: max(SZ_8K,
    /// XE_GT_SRIOV_PF_MIGRATION_GUC_DATA_MAX_SIZE = SZ_8M) (xe_guc.c, guc_additional_cache_size).</summary>
    internal const ulong GucBufferCacheBytes = 8UL << 20;

    private const string PacketN = "xe_sriov_packet.c@82cb10c8bc50";
    private const string Packet619 = "xe_sriov_packet.c@83675851547e";
    private const string Gtm = "xe_gt_sriov_pf_migration.c@09af64eba63e";

    /// <summary>Where a descriptor without a buffer is read from NULL, per driver version
    /// (line ranges from <see cref="KernelSourceLines"/>).</summary>
    private string DescriptorFaultFunction => _target.Driver == DriverVersion.V6_19
        ? $"{KernelSourceLines.Cite(Packet619, "xe_sriov_packet_process_descriptor")} (klvs[0])"
        : $"xe_guc_klv_helpers.c:xe_guc_klv_count, from {KernelSourceLines.Cite(PacketN, "xe_sriov_packet_process_descriptor")}";

    /// <summary>Where the GT worker first touches a missing payload buffer of this packet type.</summary>
    private static string WorkerFaultFunction(PacketType type) => type switch
    {
        PacketType.Ggtt => $"{KernelSourceLines.Cite("xe_ggtt.c@series-v5", "xe_ggtt_node_load")}, from {KernelSourceLines.Cite(Gtm, "pf_restore_vf_ggtt_mig_data")}",
        PacketType.Mmio => $"{KernelSourceLines.Cite(Gtm, "pf_migration_mmio_restore")} (regs[n])",
        PacketType.Guc => $"{KernelSourceLines.Cite("xe_guc_buf.c@1f2cf5295cdb", "xe_guc_buf_from_data")} (memcpy), from {KernelSourceLines.Cite(Gtm, "pf_send_guc_restore_vf_mig_data")}",
        _ => $"{KernelSourceLines.Cite("drm_exec.c@9356b50af547", "drm_exec_lock_obj")} (obj->resv), from {KernelSourceLines.Cite(Gtm, "__pf_save_restore_vram")}",
    };

    private static string RingFunction => $"{KernelSourceLines.Cite(Gtm, "xe_gt_sriov_pf_migration_restore_produce")} (wait_event_interruptible)";

    /// <summary>
    /// A complete header whose version is not 1. xe_sriov_packet_init_from_hdr fails before it
    /// sets <c>remaining</c> or allocates, so xe_sriov_packet_write_single still sees
    /// <c>hdr_remaining == 0 &amp;&amp; remaining == 0</c> and dispatches the header-only packet; a
    /// dispatch error is what write() returns, otherwise EINVAL.
    /// </summary>
    private RuleViolation VersionMismatch()
    {
        var version = $"header version is {_header.Version}, the driver accepts only {PacketHeader.ValidValues.Version}";
        RuleViolation Invalid(string why) => Violation(Rules.XeHdrVersion, PacketHeader.FieldOffsets.Version, $"{version}{why}");
        var size = Packet.PayloadSize(_header);

        if (_header.Type == PacketType.Descriptor)
        {
            if (_header.TileId != 0 || _header.GtId != 0)
                return Violation(Rules.XeDescRoute, PacketHeader.FieldOffsets.TileId, $"descriptor on tile {_header.TileId} GT {_header.GtId}, must be tile 0 GT 0 (dispatched although its {version})");
            if (size % KlvCodec.DwordSize != 0)
                return Violation(Rules.XeDescDwords, PacketHeader.FieldOffsets.Size, $"descriptor size {size} is not a multiple of {KlvCodec.DwordSize} (dispatched although its {version})");
            if (size == 0) return Invalid("; the empty descriptor is dispatched and passes");
            return Hazard(Rules.XeHazDescVersion, PacketHeader.FieldOffsets.Version, DescriptorFaultFunction,
                $"{version}: the descriptor is dispatched with no payload buffer and its first KLV ({size / KlvCodec.DwordSize} dwords claimed) is read from NULL inside write()");
        }
        if (_header.Type == PacketType.Trailer)
        {
            if (_header.TileId != 0 || _header.GtId != 0)
                return Violation(Rules.XeTrlRoute, PacketHeader.FieldOffsets.TileId, $"trailer on tile {_header.TileId} GT {_header.GtId}, must be tile 0 GT 0 (dispatched although its {version})");
            if (_header.Offset != 0 || size != 0)
                return Violation(Rules.XeTrlEmpty, PacketHeader.FieldOffsets.Offset, $"trailer has offset 0x{_header.Offset:X} and size {size}, must be 0 and 0 (dispatched although its {version})");
            foreach (var g in _gts)
                if (g.Failure is null) g.Restored = true;
            return Invalid("; the trailer is still processed: every GT is marked done");
        }
        if (_gtIndex < 0)
            return Violation(Rules.XeHdrGt, PacketHeader.FieldOffsets.GtId, $"gt_id {_header.GtId} is not a GT of the target (GTs {string.Join(", ", _target.Gts.Select(g => g.Id))})");

        var gt = _target.Gts[_gtIndex];
        var state = _gts[_gtIndex];
        if (SyncProblem(gt, state) is { } sync)
            return Report(new RuleViolation(sync.Rule, sync.Rule.ErrnoFor(_target.Driver), sync.Rule.Reported, _index, _packetOffset + sync.Field, _header.Type,
                $"{Describe(sync.Rule, gt, state)} (the packet is dispatched although its {version})")
            { PacketOffset = _packetOffset, Cause = sync.Rule == Rules.XeGtFailed ? state.Failure : null });
        if (state.Restored)
            return ++state.QueuedAfterRestore > RingSlots
                ? Hazard(Rules.XeHazRingFull, 0, RingFunction, RingFullMessage(gt))
                : Invalid($"; it is queued to GT {gt.Id}, already restored, and never applied");
        if (!PacketTypeInfo.IsDefined(_header.Type)) return Invalid("; the GT worker skips its unknown type");
        if (WorkerProblem(gt) is { Kind: VerdictKind.AsyncFailure } fail)
        {
            var cause = Violation(fail.Rule!, fail.Field, $"{Describe(fail.Rule!, gt, state)} (GT worker, on a packet with no buffer)");
            state.Failure ??= cause;
            return Invalid($"; GT {gt.Id}'s worker then fails it: {cause.Message}");
        }
        return Hazard(Rules.XeHazGtVersion, PacketHeader.FieldOffsets.Version, WorkerFaultFunction(_header.Type),
            $"{version}: the {PacketTypeText.Id(_header.Type)} packet ({size} bytes claimed) is queued to GT {gt.Id} with no payload buffer; write() fails with EINVAL and the GT worker then reads the payload from NULL");
    }

    private string RingFullMessage(GtLayout gt) =>
        $"packet #{_index} is the {RingSlots + 1}th for GT {gt.Id} after it reached RESTORED: its ring of {RingSlots} is full and nothing consumes it, so this write() never returns";

    private string VramEmptyMessage(GtLayout gt) =>
        $"VRAM packet of size 0 at 0x{_header.Offset:X}: no staging buffer object is created for it and GT {gt.Id}'s worker locks the NULL object in the restore copy; leaving RESUMING then times out";

    private RuleViolation Hazard(RuleInfo rule, int headerFieldOffset, string function, string message) =>
        Report(new RuleViolation(rule, rule.ErrnoFor(_target.Driver), rule.Reported, _index, _packetOffset + headerFieldOffset, _header.Type, message)
        {
            PacketOffset = _packetOffset,
            KernelFunction = function,
        });
}
