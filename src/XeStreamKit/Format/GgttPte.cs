namespace XeStreamKit.Format;

/// <summary>
/// A GGTT page-table entry as carried in a GGTT payload. Bits from
/// drivers/gpu/drm/xe/regs/xe_gtt_defs.h: 0 PRESENT, 1 DM (local memory), 11:2 VF id
/// (GGTT_PTE_VFID), 52/53 PAT on Xe_LPG+. Save stores the VF id bits cleared; restore
/// writes the destination VF's id into them.
/// </summary>
public readonly record struct GgttPte(ulong Value)
{
    /// <summary>GGTT_PTE_VFID, bits 11:2.</summary>
    public const ulong VfIdMask = 0x3FFUL << VfIdShift;
    /// <summary>Lowest bit of the VF id field.</summary>
    public const int VfIdShift = 2;
    /// <summary>XE_PAGE_PRESENT, bit 0.</summary>
    public const ulong PresentBit = 1UL << 0;
    /// <summary>XE_GGTT_PTE_DM, bit 1.</summary>
    public const ulong LocalMemoryBit = 1UL << 1;
    /// <summary>Largest VF id the field can hold.</summary>
    public const uint MaxVfId = 0x3FF;

    /// <summary>The VF id in bits 11:2 (0 in a saved stream).</summary>
    public uint VfId => (uint)((Value & VfIdMask) >> VfIdShift);

    /// <summary>PRESENT bit.</summary>
    public bool Present => (Value & PresentBit) != 0;

    /// <summary>DM bit: the page is in device local memory.</summary>
    public bool LocalMemory => (Value & LocalMemoryBit) != 0;

    /// <summary>The PTE with bits 11:2 replaced by <paramref name="vfId"/>, as restore does.</summary>
    public GgttPte WithVfId(uint vfId)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vfId, MaxVfId);
        return new GgttPte((Value & ~VfIdMask) | ((ulong)vfId << VfIdShift));
    }
}
