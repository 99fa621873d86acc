using XeStreamKit.Format;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// The migratable state of one emulated VF, deterministic from a seed: per GT a GuC state blob
/// and the four MMIO scratch registers; on the main GT the GGTT PTEs (VF id in bits 11:2) and,
/// on parts with LMEM, the VRAM (<see cref="VramStore"/>).
/// </summary>
public sealed class EmulatedVf
{
    /// <summary>GuC blobs up to this size are kept after a restore (bigger ones only as a digest).</summary>
    public const int MaxKeptGucBlob = 1 << 20;

    private readonly GtState[] _gts;

    internal sealed class GtState
    {
        public required GtLayout Layout;
        public byte[]? Guc;
        public ulong GucLength;
        public ulong GucDigest;
        public uint[] Mmio = new uint[Driver.KernelRestoreModel.MmioRegisterCount];
        public ulong[]? Ggtt;
        public VramStore? Vram;
    }

    internal EmulatedVf(EmulatedPf pf, uint vfId, ulong seed)
    {
        Pf = pf;
        VfId = vfId;
        Seed = seed;
        var p = pf.Profile;
        _gts = p.Gts.Select(g => NewGt(g, p, vfId, seed)).ToArray();
    }

    /// <summary>The PF hosting the VF.</summary>
    public EmulatedPf Pf { get; }

    /// <summary>The VF number (1-based).</summary>
    public uint VfId { get; }

    /// <summary>The seed its initial state comes from.</summary>
    public ulong Seed { get; }

    /// <summary>The VF as a restore target: the PF's device with this VF's id and provisioning.</summary>
    public TargetProfile Profile => Pf.Profile with { VfId = VfId };

    internal IReadOnlyList<GtState> Gts => _gts;

    internal GtState Gt(byte gtId)
    {
        // A loop, not First(predicate): the restore looks the GT up for every packet.
        foreach (var gt in _gts)
            if (gt.Layout.Id == gtId) return gt;
        throw new InvalidOperationException($"The VF has no GT {gtId}.");
    }

    private static GtState NewGt(GtLayout layout, TargetProfile p, uint vfId, ulong seed)
    {
        var gtSeed = seed ^ (0x4754_0000UL + layout.Id);
        var gucLength = p.GucStateBytes / 4 * 4;
        var guc = new byte[gucLength];
        SeededBytes.Fill(guc, gtSeed ^ 0x475543, 0);
        var state = new GtState { Layout = layout, Guc = guc, GucLength = gucLength, GucDigest = StateHash.Hash(guc) };
        for (var i = 0; i < state.Mmio.Length; i++) state.Mmio[i] = (uint)SeededBytes.Word(gtSeed ^ 0x4D4D494F, (ulong)i);
        if (p.HasGgttNode(layout))
        {
            // Pages of the VF's GGTT range mapping 4 KiB frames, PRESENT (and DM on LMEM parts), tagged with the VF id.
            var count = (int)(p.GgttBytes!.Value / 4096);
            var frame = (SeededBytes.Word(gtSeed, 0) & 0x0000_00FF_FFFF_F000UL) | 0x1_0000_0000UL;
            state.Ggtt = new ulong[count];
            for (var i = 0; i < count; i++)
                state.Ggtt[i] = (frame + (ulong)i * 4096) | GgttPte.PresentBit | (p.HasLmem ? GgttPte.LocalMemoryBit : 0) | ((ulong)vfId << GgttPte.VfIdShift);
        }
        if (p.HasLmemObject(layout)) state.Vram = new VramStore(p.LmemBytes!.Value, gtSeed ^ 0x5652414D);
        return state;
    }

    /// <summary>A digest of the state, GGTT without the VF id bits (which a restore re-tags).</summary>
    public StateDigest Digest()
    {
        var parts = new List<(string, ulong)>();
        foreach (var gt in _gts)
        {
            var name = $"gt{gt.Layout.Id}";
            parts.Add(($"{name}.guc", gt.GucDigest));
            if (gt.Ggtt is { } ptes)
            {
                var h = new StateHash();
                foreach (var pte in ptes) h.Append(pte & ~GgttPte.VfIdMask);
                parts.Add(($"{name}.ggtt", h.GetCurrentHash()));
            }
            var m = new StateHash();
            foreach (var r in gt.Mmio) m.Append(r);
            parts.Add(($"{name}.mmio", m.GetCurrentHash()));
            if (gt.Vram is { } vram) parts.Add(($"{name}.vram", vram.Digest()));
        }
        return new StateDigest(parts);
    }

    /// <summary>The GGTT PTEs of the main GT as the hardware holds them (VF id in bits 11:2).</summary>
    public IReadOnlyList<ulong> GgttPtes => _gts.FirstOrDefault(g => g.Ggtt is not null)?.Ggtt ?? [];

    /// <summary>The MMIO scratch registers of GT <paramref name="gtId"/>.</summary>
    public IReadOnlyList<uint> MmioRegisters(byte gtId) => Gt(gtId).Mmio;
}

/// <summary>A VF state digest: named component digests and their combination.</summary>
public sealed record StateDigest(IReadOnlyList<(string Component, ulong Digest)> Components)
{
    /// <summary>All components combined.</summary>
    public ulong Overall
    {
        get
        {
            var h = new StateHash(0x44494745);
            foreach (var (_, d) in Components) h.Append(d);
            return h.GetCurrentHash();
        }
    }

    /// <summary>The overall digest as 16 hex digits.</summary>
    public string Hex => Overall.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Equal when every component digest is equal.</summary>
    public bool Equals(StateDigest? other) => other is not null && Components.SequenceEqual(other.Components);

    /// <inheritdoc/>
    public override int GetHashCode() => Overall.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"{Hex} ({string.Join(", ", Components.Select(c => $"{c.Component}={c.Digest:x16}"))})";

    /// <summary>Components whose digest differs from <paramref name="other"/>'s.</summary>
    public IEnumerable<string> Differences(StateDigest other) =>
        Components.Select(c => c.Component).Union(other.Components.Select(c => c.Component))
            .Where(name => Components.FirstOrDefault(c => c.Component == name).Digest != other.Components.FirstOrDefault(c => c.Component == name).Digest);
}
