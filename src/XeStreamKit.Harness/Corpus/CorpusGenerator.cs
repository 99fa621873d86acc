using System.Security.Cryptography;
using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Text;
using static XeStreamKit.Harness.Corpus.Outcome;

namespace XeStreamKit.Harness.Corpus;

/// <summary>A vector: its manifest entry and its bytes (made on demand, so large ones are never stored).</summary>
public sealed record CorpusVector(CorpusEntry Entry, Func<Stream> Open);

/// <summary>
/// The conformance corpus: deterministic vectors, each an edit of a save from the emulated PF,
/// with the outcome the xe driver gives it stated by hand from the kernel sources (cited as file@commit:function) (never computed by
/// the model, so running the model against the corpus tests it). Named like JSONTestSuite:
/// <c>y_</c> accepted, <c>n_</c> rejected, <c>i_</c> implementation-defined.
/// </summary>
/// <remarks>
/// The home target is the VF the vectors are made for: by default a small BMG VF; for a real
/// device, its own target (<c>xsk corpus generate --target host:...</c>), so its restore errnos
/// can be compared. Vectors that need another target property than a real device can be given
/// are marked not portable and are left out of such corpora.
/// </remarks>
public sealed class CorpusGenerator
{
    /// <summary>GuC state size of the emulated saves the vectors come from (small, to keep the corpus small).</summary>
    public const ulong GucStateBytes = 256;

    /// <summary>The default home target: a BMG VF with 16 KiB of GGTT (4 PTEs) and 8 KiB of LMEM.</summary>
    public static TargetProfile DefaultHome { get; } = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=8KiB").Target;

    private readonly TargetProfile _home;
    private readonly bool _portableOnly;
    private readonly List<CorpusVector> _vectors = [];

    private CorpusGenerator(TargetProfile home, bool portableOnly)
    {
        _home = home;
        _portableOnly = portableOnly;
    }

    /// <summary>Every vector for <paramref name="home"/> (default: <see cref="DefaultHome"/>), in name order.</summary>
    /// <exception cref="SpecTextException"><paramref name="home"/>'s device is not one xe-vfio-pci binds.</exception>
    public static IReadOnlyList<CorpusVector> Vectors(TargetProfile? home = null)
    {
        if (home is { Platform: null })
            throw new SpecTextException($"target: device 0x{home.DeviceId:X4} is not one xe-vfio-pci binds; vectors cannot be made for it");
        var g = new CorpusGenerator(home ?? DefaultHome, portableOnly: home is not null);
        g.Build();
        return g._vectors.OrderBy(v => v.Entry.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes the stored vectors and <c>manifest.json</c> into <paramref name="directory"/>.</summary>
    public static CorpusManifest Write(string directory, TargetProfile? home = null)
    {
        var vectors = Vectors(home);
        Directory.CreateDirectory(directory);
        foreach (var v in vectors.Where(v => v.Entry.Stored))
        {
            using var source = v.Open();
            using var file = File.Create(Path.Combine(directory, v.Entry.Name + ".bin"));
            source.CopyTo(file);
        }
        var manifest = new CorpusManifest { Vectors = vectors.Select(v => v.Entry).ToList() };
        File.WriteAllText(Path.Combine(directory, CorpusManifest.FileName), manifest.ToJson());
        return manifest;
    }

    /// <summary>The target as spec text a <see cref="TargetSpec"/> parses back.</summary>
    /// <exception cref="SpecTextException">The target's device is not one xe-vfio-pci binds (it has no platform to name).</exception>
    public static string SpecOf(TargetProfile t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var platform = t.Platform ?? throw new SpecTextException($"target: device 0x{t.DeviceId:X4} is not one xe-vfio-pci binds; it has no target spec");
        var spec = $"{platform.Id},devid=0x{t.DeviceId:X4},revid={t.RevisionId},ggtt={SpecText.FormatSize(t.GgttBytes!.Value)}";
        return t.HasLmem ? spec + $",lmem={SpecText.FormatSize(t.LmemBytes!.Value)}" : spec;
    }

    // ---- building blocks ---------------------------------------------------------------------

    /// <summary>A save from an emulated PF of <paramref name="target"/> with at most 8 KiB of LMEM in <paramref name="chunk"/>-byte chunks.</summary>
    private static List<PacketEdit> Save(TargetProfile target, ulong chunk = 4096, ulong lmemCap = 8192)
    {
        var profile = target with { GucStateBytes = GucStateBytes, LmemBytes = target.HasLmem ? Math.Min(target.LmemBytes!.Value, lmemCap) : 0 };
        using var device = new EmulatedPf(profile, seed: 1) { VramChunkSize = chunk }.Device(1);
        device.Pause();
        var bytes = new MemoryStream();
        Workloads.Save(device, new byte[1 << 16], bytes);
        return PacketEdits.Parse(bytes.ToArray());
    }

    private static TargetProfile Other(string platform) =>
        TargetSpec.Parse($"{platform},ggtt=16KiB").Target;

    private void Add(string name, string why, IReadOnlyList<PacketEdit> packets, Outcome expect, string[]? strict = null,
        TargetProfile? target = null, Dictionary<DriverVersion, Outcome>? byDriver = null, bool open = false, bool portable = true, Func<byte[], byte[]>? bytes = null,
        bool stored = true)
    {
        if (_portableOnly && !portable) return;
        var data = packets.ToBytes();
        if (bytes is not null) data = bytes(data);
        var entry = new CorpusEntry
        {
            Name = name,
            Target = SpecOf(target ?? _home) + Extra(target),
            Expect = expect,
            ByDriver = byDriver ?? [],
            Strict = strict ?? [],
            Why = why,
            Open = open,
            Portable = portable,
            Stored = stored,
            Size = data.Length,
            Sha256 = stored ? Convert.ToHexStringLower(SHA256.HashData(data)) : null,
        };
        _vectors.Add(new CorpusVector(entry, () => new MemoryStream(data, writable: false)));
    }

    /// <summary>A hazard's kernel function as file@commit:function, with the line range where it was counted.</summary>
    private static string Cite(string fileAtCommit, string function) => KernelSourceLines.Cite(fileAtCommit, function);

    private static string Extra(TargetProfile? t) =>
        (t?.Guc is { } g ? $",guc={g.Major}.{g.Minor}.{g.Patch}" : "") + (t is { MemoryIrq: false } ? ",memirq=false" : "");

    private static byte[] CutInside(IReadOnlyList<PacketEdit> packets, int index, int intoPacket)
    {
        var before = packets.Take(index).ToBytes().Length;
        return packets.ToBytes()[..(before + intoPacket)];
    }

    // ---- the catalogue ---------------------------------------------------------------------

    private void Build()
    {
        var home = _home;
        var s = Save(home);
        var hasVram = s.Any(p => p.Type == PacketType.Vram);
        var desc = s.Find(PacketType.Descriptor);
        var guc0 = s.Find(PacketType.Guc, 0);
        var ggtt = s.Find(PacketType.Ggtt, 0);
        var mmio0 = s.Find(PacketType.Mmio, 0);
        var guc1 = s.Find(PacketType.Guc, 1);
        var mmio1 = s.Find(PacketType.Mmio, 1);
        var trailer = s.Find(PacketType.Trailer);
        var homePlatform = home.Platform!; // Vectors refuses a home without one
        var otherDevid = homePlatform.DeviceIds.First(d => d != home.DeviceId);
        var devid = home.DeviceId;
        var revid = home.RevisionId;
        var klvs = s[desc].Payload;

        // --- accepted ---
        Add("y_save", "a save from the driver's order and sizes (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_save_data)", s, Accept);
        Add("y_minimal", "descriptor and trailer only: the driver checks neither which GTs send data nor that any do (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [s[desc], s[trailer]], Accept, ["XE-S-GT-PARTS"]);
        Add("y_desc_unknown_klv", "unknown KLV keys are skipped (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [.. klvs, .. PacketEdit.Klvs((0xF0AB, [1, 2]))] }), Accept, ["XE-DESC-KEY"]);
        Add("y_desc_empty_klv", "the dword 0 is an empty KLV (key 0, len 0), skipped as unknown (xe_guc_klv_helpers.c:xe_guc_klv_count)",
            s.With(desc, p => p with { Payload = [.. klvs, .. PacketEdit.Dwords(0)] }), Accept, ["XE-DESC-KEY"]);
        Add("y_desc_devid_len2", "DEVID with 2 dwords: the first is compared, the length is not checked (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = PacketEdit.Klvs((0xF001, [devid, 0xDEAD]), (0xF002, [revid])) }), Accept, ["XE-S-DESC-IDS"]);
        Add("y_desc_revid_first", "KLV order does not matter (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = PacketEdit.Klvs((0xF002, [revid]), (0xF001, [devid])) }), Accept);
        Add("y_desc_empty", "an empty descriptor passes: DEVID and REVID are not required (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [] }), Accept, ["XE-S-DESC-IDS"]);
        Add("y_desc_twice", "a second identical descriptor is checked again and passes (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.Inserting(guc0, s[desc]), Accept, ["XE-S-DESC-FIRST"]);
        Add("y_flags", "flags are never read on restore (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr)", s.With(guc0, p => p with { Flags = 0x8000_0001 }), Accept, ["XE-S-FLAGS"]);
        Add("y_guc_offset", "offset is read only for VRAM (xe_sriov_packet_types.h@67df4a5cbc58:struct xe_sriov_packet_hdr)", s.With(guc0, p => p with { Offset = 0x1000 }), Accept, ["XE-S-OFFSET"]);
        Add("y_ggtt_vfid_bits", "restore replaces PTE bits 11:2 with the destination VF id (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)",
            s.With(ggtt, p => p with { Payload = VfIdTagged(p.Payload, 5) }), Accept, ["XE-S-GGTT-VFID"]);
        Add("y_gt0_mmio_first", "per-GT order is not enforced on restore (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            s.With(guc0, _ => s[mmio0]).With(mmio0, _ => s[guc0]), Accept, ["XE-S-GT-ORDER"]);
        Add("y_gt1_first", "GTs are independent on restore (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [s[desc], s[guc1], s[mmio1], .. s.Skip(desc + 1).Take(guc1 - desc - 1), s[trailer]], Accept);
        if (hasVram)
        {
            var vram0 = s.Find(PacketType.Vram);
            Add("y_vram_one_chunk", "VRAM in one chunk (chunking is not tracked on restore: xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", Save(home, chunk: 8192), Accept);
            Add("y_vram_reversed", "VRAM chunks in any order (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)",
                s.With(vram0, _ => s[vram0 + 1]).With(vram0 + 1, _ => s[vram0]), Accept, ["XE-S-VRAM-CONTIGUOUS"]);
            Add("y_vram_partial", "VRAM need not be covered whole (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s.Without(vram0 + 1), Accept);
            Add("y_vram_repeated", "a chunk restored twice is written twice (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)",
                s.Inserting(vram0 + 2, s[vram0]), Accept, ["XE-S-VRAM-CONTIGUOUS"]);
        }
        foreach (var platform in new[] { "ptl", "wcl", "bmg" }.Where(p => p != homePlatform.Id))
            if (!_portableOnly) Add($"y_{platform}_save", $"a {platform} save into a {platform} VF (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_save_data)", Save(Other(platform)), Accept, target: Other(platform));

        // --- rejected on write ---
        Add("n_hdr_version_0", "version must be 1; the header-only packet is still queued, and the GT worker's MMIO size check fails it before any payload is read (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr)",
            s.With(mmio1, p => p with { Version = 0, Payload = p.Payload[..12] }), OnWrite(Errno.EINVAL, mmio1, "XE-HDR-VERSION"), ["XE-HDR-VERSION", "XE-MMIO-SIZE"]);
        Add("n_hdr_version_2_descriptor", "version must be 1; an empty descriptor is dispatched anyway and passes (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr)",
            s.With(desc, p => p with { Version = 2, Payload = [] }), OnWrite(Errno.EINVAL, desc, "XE-HDR-VERSION"), ["XE-HDR-VERSION", "XE-S-DESC-IDS"]);
        Add("n_hdr_version_gt_failed", "a version != 1 packet for a GT that already failed is dispatched: write() returns the dispatch's EIO, not EINVAL (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr; xe_gt_sriov_pf_migration.c@09af64eba63e:xe_gt_sriov_pf_migration_restore_produce)",
            s.With(mmio1, p => p with { Payload = p.Payload[..12] }).Inserting(mmio1 + 1, s[guc1] with { Version = 2 }), OnWrite(Errno.EIO, mmio1 + 1, "XE-GT-FAILED"),
            ["XE-MMIO-SIZE", "XE-GT-FAILED", "XE-S-GT-PARTS", "XE-S-GT-ORDER"]);
        Add("n_alloc_guc_2gib", "kvmalloc refuses INT_MAX + 1 bytes (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)",
            [.. s.Take(guc1), s[guc1] with { SizeOverride = 1UL << 31, Payload = [] }], OnWrite(Errno.ENOMEM, guc1, "XE-HDR-ALLOC"),
            ["XE-HDR-ALLOC", "XE-S-GT-PARTS", "XE-TRUNCATED", "XE-TRL-MISSING"]);
        Add("n_guc_3_bytes", "a GuC blob of 3 bytes is 0 dwords: whatever GuC replies fails the GT (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data)", s.Inserting(trailer, s[guc1] with { Payload = s[guc1].Payload[..3] }),
            AtFinish(Errno.EIO, "XE-GUC-DWORDS", trailer), ["XE-GUC-DWORDS", "XE-S-GT-PARTS", "XE-S-GUC-SIZE", "XE-S-GT-ORDER"]);
        Add("n_guc_over_cache", "a GuC blob larger than the 8 MiB GuC buffer cache cannot be sub-allocated (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data); made on the fly, not stored",
            s.Inserting(trailer, s[guc1] with { Payload = new byte[(8 << 20) + 4] }), AtFinish(Errno.EIO, "XE-GUC-CACHE", trailer),
            ["XE-GUC-CACHE", "XE-S-GT-PARTS", "XE-S-GT-ORDER"], stored: false);

        // --- driver hazards: the kernel oopses or a write() never returns ---
        Add("n_haz_desc_version", "a descriptor with version != 1 is dispatched with no buffer: its first KLV is read from NULL inside write() (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr)",
            s.With(desc, p => p with { Version = 2 }),
            Crash(DriverHazard.OopsInWrite, Errno.None, ReportedAt.Write, desc, "XE-HAZ-DESC-VERSION", $"xe_guc_klv_helpers.c:xe_guc_klv_count, from {Cite("xe_sriov_packet.c@82cb10c8bc50", "xe_sriov_packet_process_descriptor")}"),
            ["XE-HAZ-DESC-VERSION"],
            byDriver: new() { [DriverVersion.V6_19] = Crash(DriverHazard.OopsInWrite, Errno.None, ReportedAt.Write, desc, "XE-HAZ-DESC-VERSION", $"{Cite("xe_sriov_packet.c@83675851547e", "xe_sriov_packet_process_descriptor")} (klvs[0])") });
        Add("n_haz_gt_version_guc", "a GuC packet with version != 1 is queued with no buffer: write() fails with EINVAL, then the GT worker copies the blob from NULL (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr; xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data)",
            s.With(guc0, p => p with { Version = 2 }),
            Crash(DriverHazard.OopsInWorker, Errno.EINVAL, ReportedAt.Write, guc0, "XE-HAZ-GT-VERSION", $"{Cite("xe_guc_buf.c@1f2cf5295cdb", "xe_guc_buf_from_data")} (memcpy), from {Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "pf_send_guc_restore_vf_mig_data")}"),
            ["XE-HAZ-GT-VERSION"]);
        Add("n_haz_gt_version_mmio", "an MMIO packet of 16 bytes with version != 1: the GT worker reads the registers from NULL (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr; xe_gt_sriov_pf_migration.c@09af64eba63e:pf_migration_mmio_restore)",
            s.With(mmio1, p => p with { Version = 2 }),
            Crash(DriverHazard.OopsInWorker, Errno.EINVAL, ReportedAt.Write, mmio1, "XE-HAZ-GT-VERSION", $"{Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "pf_migration_mmio_restore")} (regs[n])"),
            ["XE-HAZ-GT-VERSION"]);
        Add("n_haz_gt_version_ggtt", "a GGTT packet of the VF's size with version != 1: the GT worker loads the PTEs from NULL (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr; xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)",
            s.With(ggtt, p => p with { Version = 2 }),
            Crash(DriverHazard.OopsInWorker, Errno.EINVAL, ReportedAt.Write, ggtt, "XE-HAZ-GT-VERSION", $"{Cite("xe_ggtt.c@series-v5", "xe_ggtt_node_load")}, from {Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "pf_restore_vf_ggtt_mig_data")}"),
            ["XE-HAZ-GT-VERSION"]);
        Add("i_after_trailer_5", "5 GT packets after the trailer fill the GT's ring of 5: accepted, never applied (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [.. s, s[mmio1], s[mmio1], s[mmio1], s[mmio1], s[mmio1]], Accept, ["XE-AFTER-TRAILER", "XE-S-GT-PARTS", "XE-S-TRL-LAST"]);
        Add("n_haz_ring_full_after_trailer", "the 6th GT packet after the trailer finds the GT's ring of 5 full with nothing consuming it: write() never returns (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [.. s, s[mmio1], s[mmio1], s[mmio1], s[mmio1], s[mmio1], s[mmio1]],
            Crash(DriverHazard.Hang, Errno.None, ReportedAt.Write, s.Count + 5, "XE-HAZ-RING-FULL", $"{Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "xe_gt_sriov_pf_migration_restore_produce")} (wait_event_interruptible)"),
            ["XE-AFTER-TRAILER", "XE-HAZ-RING-FULL", "XE-S-GT-PARTS", "XE-S-TRL-LAST"]);
        var t7Gt0 = new PacketEdit((PacketType)7, 0, 0, new byte[16]);
        Add("n_haz_ring_full_trailer_first", "with the trailer first every GT is restored at once; 6 unknown-type packets for GT 0 fill its ring and the 6th write() never returns (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce; xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [s[desc], s[trailer], t7Gt0, t7Gt0, t7Gt0, t7Gt0, t7Gt0, t7Gt0],
            Crash(DriverHazard.Hang, Errno.None, ReportedAt.Write, 7, "XE-HAZ-RING-FULL", $"{Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "xe_gt_sriov_pf_migration_restore_produce")} (wait_event_interruptible)"),
            ["XE-AFTER-TRAILER", "XE-HAZ-RING-FULL", "XE-S-GT-PARTS", "XE-S-TRL-LAST"]);
        Add("n_hdr_gt_2", "gt_id must name a GT of the device (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)", s.With(guc0, p => p with { Gt = 2 }), OnWrite(Errno.EINVAL, guc0, "XE-HDR-GT"), ["XE-HDR-GT", "XE-S-GT-PARTS"]);
        Add("n_hdr_gt_255_trailer", "gt_id is checked for every type, the trailer too (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)",
            s.With(trailer, p => p with { Gt = 255 }), OnWrite(Errno.EINVAL, trailer, "XE-HDR-GT"), ["XE-HDR-GT", "XE-TRL-MISSING"]);
        Add("n_hdr_type_0", "type 0 is reserved (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(guc1, p => p with { Type = 0 }), OnWrite(Errno.EINVAL, guc1, "XE-HDR-TYPE"), ["XE-HDR-TYPE", "XE-S-GT-PARTS"]);
        Add("n_hdr_tile_1", "tile_id must be the GT's tile (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(mmio1, p => p with { Tile = 1 }), OnWrite(Errno.EINVAL, mmio1, "XE-HDR-TILE"), ["XE-HDR-TILE", "XE-S-GT-PARTS"]);
        Add("n_alloc_guc_2p64", "a size of 2^64-1 cannot be allocated (kvzalloc: xe_sriov_packet.c@82cb10c8bc50:pkt_init)",
            [.. s.Take(guc1), s[guc1] with { SizeOverride = ulong.MaxValue, Payload = [] }], OnWrite(Errno.ENOMEM, guc1, "XE-HDR-ALLOC"),
            ["XE-HDR-ALLOC", "XE-S-GUC-SIZE", "XE-S-GT-PARTS", "XE-TRUNCATED", "XE-TRL-MISSING"]);
        Add("n_alloc_mmio_4gib", "kvmalloc refuses more than INT_MAX bytes (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)",
            [.. s.Take(mmio0), s[mmio0] with { SizeOverride = 4UL << 30, Payload = [] }], OnWrite(Errno.ENOMEM, mmio0, "XE-HDR-ALLOC"),
            ["XE-HDR-ALLOC", "XE-S-GT-PARTS", "XE-TRUNCATED", "XE-TRL-MISSING"]);
        Add("n_desc_route_gt1", "the descriptor must be on tile 0 GT 0 (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(desc, p => p with { Gt = 1 }), OnWrite(Errno.EINVAL, desc, "XE-DESC-ROUTE"), ["XE-DESC-ROUTE"]);
        Add("n_desc_route_tile1", "the descriptor must be on tile 0 GT 0 (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(desc, p => p with { Tile = 1 }), OnWrite(Errno.EINVAL, desc, "XE-DESC-ROUTE"), ["XE-DESC-ROUTE"]);
        Add("n_desc_dwords", "a descriptor that is not whole dwords is not in KLV format (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [.. klvs, 0, 0] }), OnWrite(Errno.EINVAL, desc, "XE-DESC-DWORDS"), ["XE-DESC-DWORDS"]);
        var truncated = new Dictionary<DriverVersion, Outcome> { [DriverVersion.V6_19] = OnWrite(Errno.EINVAL, desc, "XE-DESC-KLV") };
        Add("n_desc_klv_truncated", "a KLV running past the descriptor: EINVAL in 6.19, ENODATA from xe_guc_klv_count later (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [.. PacketEdit.Klvs((0xF001, [devid])), .. PacketEdit.Dwords(0xF0020002, revid)] }),
            OnWrite(Errno.ENODATA, desc, "XE-DESC-KLV"), ["XE-DESC-KLV", "XE-S-DESC-IDS"], byDriver: truncated);
        Add("n_desc_klv_header_only", "a KLV header with its value missing (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor; xe_guc_klv_helpers.c:xe_guc_klv_count)",
            s.With(desc, p => p with { Payload = PacketEdit.Dwords(0xF0010001) }), OnWrite(Errno.ENODATA, desc, "XE-DESC-KLV"), ["XE-DESC-KLV", "XE-S-DESC-IDS"], byDriver: truncated);
        Add("n_desc_devid", "a device id other than the target's (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = PacketEdit.Klvs((0xF001, [otherDevid]), (0xF002, [revid])) }), OnWrite(Errno.ENODEV, desc, "XE-DESC-DEVID"), ["XE-DESC-DEVID"]);
        Add("n_desc_revid", "a revision other than the target's (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = PacketEdit.Klvs((0xF001, [devid]), (0xF002, [revid + 1])) }), OnWrite(Errno.ENODEV, desc, "XE-DESC-REVID"), ["XE-DESC-REVID"]);
        Add("n_desc_devid_len0", "a DEVID KLV of length 0: the driver compares the next dword, here the REVID header (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [.. PacketEdit.Dwords(0xF0010000), .. PacketEdit.Klvs((0xF002, [revid]))] }), OnWrite(Errno.ENODEV, desc, "XE-DESC-DEVID"),
            ["XE-DESC-DEVID", "XE-S-DESC-IDS"]);
        Add("n_desc_devid_wide", "the u32 KLV value is compared with the u16 device id (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = PacketEdit.Klvs((0xF001, [0x10000 | devid]), (0xF002, [revid])) }), OnWrite(Errno.ENODEV, desc, "XE-DESC-DEVID"), ["XE-DESC-DEVID", "XE-S-DEVICE"]);
        Add("n_desc_second_mismatch", "every descriptor is checked where it arrives (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.Inserting(trailer, s[desc] with { Payload = PacketEdit.Klvs((0xF001, [otherDevid]), (0xF002, [revid])) }), OnWrite(Errno.ENODEV, trailer, "XE-DESC-DEVID"),
            ["XE-DESC-DEVID", "XE-S-DESC-FIRST"]);
        var foreign = homePlatform.Id == "ptl" ? "bmg" : "ptl";
        Add($"n_{foreign}_save", $"a {foreign} save into a {homePlatform.Id} VF: device ids differ (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            Save(Other(foreign)), OnWrite(Errno.ENODEV, 0, "XE-DESC-DEVID"), StrictForForeign(foreign));
        Add("n_trl_route", "the trailer must be on tile 0 GT 0 (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(trailer, p => p with { Gt = 1 }), OnWrite(Errno.EINVAL, trailer, "XE-TRL-ROUTE"), ["XE-TRL-ROUTE", "XE-TRL-MISSING"]);
        Add("n_trl_size", "the trailer has no payload (xe_sriov_pf_migration.c@1ed30397c0b9:pf_handle_trailer; xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(trailer, p => p with { Payload = [0, 0, 0, 0] }), OnWrite(Errno.EINVAL, trailer, "XE-TRL-EMPTY"), ["XE-TRL-EMPTY", "XE-TRL-MISSING"]);
        Add("n_trl_offset", "the trailer has offset 0 (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)", s.With(trailer, p => p with { Offset = 0x1000 }), OnWrite(Errno.EINVAL, trailer, "XE-TRL-EMPTY"),
            ["XE-TRL-EMPTY", "XE-S-OFFSET", "XE-TRL-MISSING"]);

        // --- rejected by the GT worker: EIO on a later write for that GT, or when leaving RESUMING ---
        Add("n_mmio_size_12", "MMIO must be 16 bytes (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_migration_mmio_restore)", s.With(mmio1, _ => s[mmio1] with { Payload = s[mmio1].Payload[..12] }), AtFinish(Errno.EIO, "XE-MMIO-SIZE", mmio1), ["XE-MMIO-SIZE"]);
        Add("n_mmio_size_0", "MMIO must be 16 bytes (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_migration_mmio_restore)", s.With(mmio1, p => p with { Payload = [] }), AtFinish(Errno.EIO, "XE-MMIO-SIZE", mmio1), ["XE-MMIO-SIZE"]);
        Add("n_gt_failed_then_write", "after a GT failed, the next write for it fails with EIO (xe_gt_sriov_pf_migration.c@09af64eba63e:xe_gt_sriov_pf_migration_restore_produce)",
            s.With(mmio0, p => p with { Payload = p.Payload[..12] }), hasVram ? OnWrite(Errno.EIO, mmio0 + 1, "XE-GT-FAILED") : AtFinish(Errno.EIO, "XE-MMIO-SIZE", mmio0),
            hasVram ? ["XE-MMIO-SIZE", "XE-GT-FAILED"] : ["XE-MMIO-SIZE"]);
        Add("n_ggtt_short", "GGTT must be exactly the VF's PTE array (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)", s.With(ggtt, p => p with { Payload = p.Payload[8..] }), OnWrite(Errno.EIO, ggtt + 1, "XE-GT-FAILED"),
            ["XE-GGTT-SIZE", "XE-GT-FAILED"]);
        Add("n_ggtt_long", "GGTT must be exactly the VF's PTE array (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)", s.With(ggtt, p => p with { Payload = [.. p.Payload, .. p.Payload[..8]] }), OnWrite(Errno.EIO, ggtt + 1, "XE-GT-FAILED"),
            ["XE-GGTT-SIZE", "XE-GT-FAILED"]);
        Add("n_ggtt_empty", "a zero-size GGTT packet is not the VF's PTE array (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)", s.With(ggtt, p => p with { Payload = [] }), OnWrite(Errno.EIO, ggtt + 1, "XE-GT-FAILED"),
            ["XE-GGTT-SIZE", "XE-GT-FAILED"]);
        Add("n_ggtt_not_whole_ptes", "a GGTT payload that is not whole 8-byte PTEs cannot be the VF's PTE array (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)",
            s.With(ggtt, p => p with { Payload = p.Payload[..^4] }), OnWrite(Errno.EIO, ggtt + 1, "XE-GT-FAILED"), ["XE-GGTT-SIZE", "XE-GT-FAILED", "XE-S-GGTT-SIZE"]);
        Add("n_ggtt_size_last", "a wrong-size GGTT as GT 0's last packet fails only when leaving RESUMING (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data; xe_gt_sriov_pf_migration.c@09af64eba63e:xe_gt_sriov_pf_migration_restore_produce)",
            [.. s.Without(ggtt).Take(guc1 - 1), s[ggtt] with { Payload = s[ggtt].Payload[8..] }, .. s.Skip(guc1)], AtFinish(Errno.EIO, "XE-GGTT-SIZE", guc1 - 1),
            ["XE-GGTT-SIZE", "XE-S-GT-ORDER"]);
        Add("n_ggtt_on_media", "the media GT has no GGTT node (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)", s.Inserting(trailer, s[ggtt] with { Gt = 1 }), AtFinish(Errno.EIO, "XE-GGTT-NODE", trailer),
            ["XE-GGTT-NODE", "XE-S-GT-PARTS", "XE-S-GT-ORDER"]);
        Add("n_guc_empty", "an empty GuC blob cannot be sub-allocated in the GuC buffer cache (-ENOBUFS) (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data)", s.Inserting(trailer, s[guc1] with { Payload = [] }), AtFinish(Errno.EIO, "XE-GUC-EMPTY", trailer),
            ["XE-GUC-EMPTY", "XE-S-GT-PARTS", "XE-S-GUC-SIZE", "XE-S-GT-ORDER"]);
        Add("n_guc_empty_then_write", "after GuC fails the GT, the next write for it fails with EIO (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data; xe_gt_sriov_pf_migration.c@09af64eba63e:xe_gt_sriov_pf_migration_restore_produce)",
            s.With(guc1, p => p with { Payload = [] }), OnWrite(Errno.EIO, guc1 + 1, "XE-GT-FAILED"), ["XE-GUC-EMPTY", "XE-GT-FAILED", "XE-S-GUC-SIZE"]);
        if (hasVram)
        {
            var vram0 = s.Find(PacketType.Vram);
            var lmem = home.LmemBytes!.Value;
            var last = s.FindLastIndex(p => p.Type == PacketType.Vram);
            Add("n_vram_bounds", "a VRAM chunk must end inside the VF's LMEM (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s.With(last, p => p with { Offset = lmem }), AtFinish(Errno.EIO, "XE-VRAM-BOUNDS", last),
                ["XE-VRAM-BOUNDS", "XE-S-VRAM-CONTIGUOUS"]);
            Add("n_vram_wraps", "offset + size must not wrap (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s.With(last, p => p with { Offset = 0xFFFF_FFFF_FFFF_F000 }), AtFinish(Errno.EIO, "XE-VRAM-BOUNDS", last),
                ["XE-VRAM-BOUNDS"]);
            Add("n_vram_on_media", "the media GT has no LMEM (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s.Inserting(trailer, s[vram0] with { Gt = 1 }), AtFinish(Errno.EIO, "XE-VRAM-LMEM", trailer),
                ["XE-VRAM-LMEM", "XE-S-GT-PARTS"]);
            Add("n_alloc_vram_2p64", "a VRAM staging buffer of 2^64 bytes cannot be allocated (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)",
                [.. s.Take(vram0), s[vram0] with { SizeOverride = ulong.MaxValue - 4095, Payload = [] }], OnWrite(Errno.ENOMEM, vram0, "XE-HDR-ALLOC"),
                ["XE-HDR-ALLOC", "XE-S-VRAM-CHUNK", "XE-S-GT-PARTS", "XE-TRUNCATED", "XE-TRL-MISSING"]);
            Add("n_vram_size_wraps", "a VRAM size whose page rounding wraps past 2^64: the 0-byte staging object is refused with EINVAL, not ENOMEM (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init)",
                [.. s.Take(vram0), s[vram0] with { SizeOverride = ulong.MaxValue, Payload = [] }], OnWrite(Errno.EINVAL, vram0, "XE-HDR-VRAM-WRAP"),
                ["XE-HDR-VRAM-WRAP", "XE-S-VRAM-CHUNK", "XE-S-GT-PARTS", "XE-TRUNCATED", "XE-TRL-MISSING", "XE-S-VRAM-ALIGN"]);
            Add("n_haz_gt_version_vram", "a VRAM chunk inside the LMEM with version != 1: the GT worker locks the missing staging object (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_init_from_hdr; xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)",
                s.With(vram0, p => p with { Version = 2 }),
                Crash(DriverHazard.OopsInWorker, Errno.EINVAL, ReportedAt.Write, vram0, "XE-HAZ-GT-VERSION", $"{Cite("drm_exec.c@9356b50af547", "drm_exec_lock_obj")} (obj->resv), from {Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "__pf_save_restore_vram")}"),
                ["XE-HAZ-GT-VERSION"]);
            Add("n_haz_vram_zero_size", "a zero-size VRAM chunk inside the LMEM gets no staging object; the GT worker locks the NULL object and the GT never restores (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init; xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)",
                s.Inserting(last + 1, new PacketEdit(PacketType.Vram, 0, 0, [], home.LmemBytes!.Value)),
                Crash(DriverHazard.OopsInWorker, Errno.ETIMEDOUT, ReportedAt.Finish, last + 1, "XE-HAZ-VRAM-EMPTY", $"{Cite("drm_exec.c@9356b50af547", "drm_exec_lock_obj")} (obj->resv), from {Cite("xe_gt_sriov_pf_migration.c@09af64eba63e", "__pf_save_restore_vram")}"),
                ["XE-HAZ-VRAM-EMPTY"]);
            Add("n_vram_zero_size_beyond", "a zero-size VRAM chunk beyond the LMEM fails the bounds check before the copy (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)",
                s.Inserting(last + 1, new PacketEdit(PacketType.Vram, 0, 0, [], home.LmemBytes!.Value + 4096)), AtFinish(Errno.EIO, "XE-VRAM-BOUNDS", last + 1),
                ["XE-VRAM-BOUNDS", "XE-S-VRAM-CONTIGUOUS"]);
            Add("n_vram_lmem_smaller", "the target VF has less LMEM than the source (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s, AtFinish(Errno.EIO, "XE-VRAM-BOUNDS", last), ["XE-VRAM-BOUNDS"],
                target: home with { LmemBytes = lmem / 2 }, portable: false);
        }
        else
        {
            var vram = new PacketEdit(PacketType.Vram, 0, 0, new byte[4096]);
            Add("n_vram_without_lmem", "a part without LMEM has no LMEM object (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", s.Inserting(guc1, vram), AtFinish(Errno.EIO, "XE-VRAM-LMEM", guc1), ["XE-VRAM-LMEM"]);
        }
        if (!_portableOnly && home.HasLmem)
        {
            var ptl = Other("ptl");
            var ptlSave = Save(ptl);
            var at = ptlSave.Find(PacketType.Guc, 1);
            Add("n_ptl_vram", "PTL has no LMEM: VRAM data fails its GT (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", ptlSave.Inserting(at, new PacketEdit(PacketType.Vram, 0, 0, new byte[4096])),
                AtFinish(Errno.EIO, "XE-VRAM-LMEM", at), ["XE-VRAM-LMEM"], target: ptl);
        }
        Add("n_ggtt_target_larger", "the target VF has a larger GGTT than the source (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_ggtt_mig_data)", s, OnWrite(Errno.EIO, ggtt + 1, "XE-GT-FAILED"), ["XE-GGTT-SIZE", "XE-GT-FAILED"],
            target: home with { GgttBytes = home.GgttBytes * 2 }, portable: false);
        Add("n_target_old_guc", "migration needs GuC 70.54.0 (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_gt_migration_check_support)", s, new Outcome(false, Errno.ENOTTY, ReportedAt.Setup, null, "XE-TGT-MIGRATION"), ["XE-TGT-MIGRATION"],
            target: home with { Guc = (70, 44, 0) }, portable: false);
        Add("n_target_no_memirq", "migration needs memory-based IRQ (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_gt_migration_check_support)", s, new Outcome(false, Errno.ENOTTY, ReportedAt.Setup, null, "XE-TGT-MIGRATION"), ["XE-TGT-MIGRATION"],
            target: home with { MemoryIrq = false }, portable: false);

        // --- end of stream ---
        Add("n_empty", "no trailer: restore times out (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)", [], AtFinish(Errno.ETIMEDOUT, "XE-TRL-MISSING"), ["XE-TRL-MISSING", "XE-S-DESC-FIRST", "XE-S-GT-PARTS"]);
        Add("n_trl_missing", "no trailer: restore times out (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)", s.Without(trailer), AtFinish(Errno.ETIMEDOUT, "XE-TRL-MISSING"), ["XE-TRL-MISSING"]);
        var cuts = new List<(string Name, int Packet, int Into)>
        {
            ("n_trunc_descriptor_header", desc, 10),
            ("n_trunc_descriptor_payload", desc, Packet.HeaderSize + 6),
            ("n_trunc_guc_payload", guc0, Packet.HeaderSize + 100),
            ("n_trunc_ggtt_payload", ggtt, Packet.HeaderSize + 12),
            ("n_trunc_mmio_payload", mmio1, Packet.HeaderSize + 8),
            ("n_trunc_trailer_header", trailer, Packet.HeaderSize - 1),
        };
        if (hasVram) cuts.Add(("n_trunc_vram_payload", s.Find(PacketType.Vram), Packet.HeaderSize + 1000));
        foreach (var (name, packet, into) in cuts)
        {
            // A packet whose header arrived counts, even if its payload is cut.
            bool Lost(int index) => index > packet || (index == packet && into < Packet.HeaderSize);
            var strict = new List<string> { "XE-TRUNCATED", "XE-TRL-MISSING" };
            if (Lost(desc)) strict.Add("XE-S-DESC-FIRST");
            if (new[] { guc0, mmio0, guc1, mmio1 }.Any(Lost)) strict.Add("XE-S-GT-PARTS");
            Add(name, $"the stream ends inside packet #{packet}: it is never dispatched and no trailer arrives (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_write_single, pkt_init; xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)", s,
                AtFinish(Errno.ETIMEDOUT, "XE-TRL-MISSING"), [.. strict.Order(StringComparer.Ordinal)], bytes: _ => CutInside(s, packet, into));
        }

        // --- implementation-defined ---
        var t7 = new PacketEdit((PacketType)7, 0, 0, new byte[16]);
        Add("i_type_7", "unknown types are skipped since v2 (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce); v1 kernels failed the GT with EINVAL", s.Inserting(mmio0 + 1, t7), Accept, ["XE-TYPE-UNKNOWN"]);
        if (hasVram)
            Add("i_v1_vram_type_7", "v1 numbered VRAM 7; a merged kernel skips it and restores no VRAM (xe_sriov_pf_migration.c@1ed30397c0b9:xe_sriov_pf_migration_restore_produce)",
                s.Select(p => p.Type == PacketType.Vram ? p with { Type = (PacketType)7 } : p).ToList(), Accept, ["XE-S-OFFSET", "XE-TYPE-UNKNOWN"]);
        Add("i_no_descriptor", "a missing descriptor is not checked: the driver restores without checking the device (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor; xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            s.Without(desc), Accept, ["XE-S-DESC-FIRST"]);
        Add("i_after_trailer", "GT data after the trailer is queued in the GT's ring and never applied: accepted, silently lost (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore)",
            [.. s, s[mmio1]], Accept, ["XE-AFTER-TRAILER", "XE-S-GT-PARTS", "XE-S-TRL-LAST"]);
        Add("i_gt_interleaved", "saves put all of GT0 before GT1 only because of the EAGAIN typo; restore routes by gt_id (xe_sriov_pf_migration.c@1ed30397c0b9:pf_migration_consume; xe_sriov_pf_migration.c@1ed30397c0b9:pf_migration_consume (EAGAIN sign))",
            [s[desc], s[guc0], s[guc1], .. s.Skip(guc0 + 1).Take(mmio0 - guc0), s[mmio1], .. s.Skip(mmio0 + 1).Take(guc1 - mmio0 - 1), s[trailer]], Accept);
        Add("i_guc_not_dwords", "GuC sizes are meant to be whole dwords but only a debug assert checks (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_send_guc_restore_vf_mig_data; left open by the sources)",
            s.With(guc1, p => p with { Payload = p.Payload[..^1] }), Accept, ["XE-S-GUC-SIZE"], open: true);
        Add("i_trunc_after_trailer", "a partial packet after the trailer is never dispatched; finish does not look at it (xe_gt_sriov_pf_control.c@series-v5:pf_handle_vf_restore; xe_sriov_packet.c@83675851547e:xe_sriov_packet_write_single)",
            s, Accept, ["XE-TRUNCATED"], bytes: b => [.. b, .. s[guc0].ToBytes()[..10]]);
        Add("i_desc_mismatch_then_truncated", "6.19 acts on DEVID before it sees the truncated KLV; newer kernels count first (xe_sriov_packet.c@82cb10c8bc50:xe_sriov_packet_process_descriptor)",
            s.With(desc, p => p with { Payload = [.. PacketEdit.Klvs((0xF001, [otherDevid])), .. PacketEdit.Dwords(0xF0020002, revid)] }),
            OnWrite(Errno.ENODATA, desc, "XE-DESC-KLV"), ["XE-DESC-DEVID", "XE-DESC-KLV", "XE-S-DESC-IDS"],
            byDriver: new() { [DriverVersion.V6_19] = OnWrite(Errno.ENODEV, desc, "XE-DESC-DEVID") });
        if (hasVram)
        {
            var last = s.FindLastIndex(p => p.Type == PacketType.Vram);
            Add("i_vram_unaligned", "VRAM alignment is only debug-asserted (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data; left open by the sources)", s.With(last, p => p with { Payload = p.Payload[..^96] }), Accept, ["XE-S-VRAM-ALIGN"], open: true);
            if (!_portableOnly)
            {
                var big = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=1GiB").Target;
                AddLarge("y_vram_512mib_chunks", "the driver's 512 MiB VRAM chunks, made on the fly and never stored (xe_gt_sriov_pf_migration.c@09af64eba63e:pf_restore_vf_vram_mig_data)", big);
            }
        }
    }

    private string[] StrictForForeign(string foreign) => foreign switch
    {
        // A PTL save has no VRAM; a BMG save sent to a PTL VF also fails its VRAM chunks (no LMEM) and GGTT size.
        "bmg" => ["XE-DESC-DEVID", "XE-GGTT-SIZE", "XE-GT-FAILED"],
        _ => ["XE-DESC-DEVID"],
    };

    private void AddLarge(string name, string why, TargetProfile target)
    {
        var profile = target with { GucStateBytes = GucStateBytes };
        var pf = new EmulatedPf(profile, seed: 1);
        var entry = new CorpusEntry { Name = name, Target = SpecOf(target), Expect = Accept, Why = why, Stored = false, Size = pf.SaveLength(pf.Vf(1)) };
        _vectors.Add(new CorpusVector(entry, () =>
        {
            var device = new EmulatedPf(profile, seed: 1).Device(1);
            device.Pause();
            return device.BeginSave();
        }));
    }

    private static byte[] VfIdTagged(byte[] ptes, uint vfId)
    {
        var copy = (byte[])ptes.Clone();
        for (var i = 0; i < copy.Length / GgttPayload.ElementSize; i++)
            GgttPayload.WriteElement(copy, i, new GgttPte(GgttPayload.ReadElement(copy, i)).WithVfId(vfId).Value);
        return copy;
    }
}
