using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Inspection;

/// <summary>What one packet holds, as <c>xsk inspect</c> reports it.</summary>
public sealed record PacketSummary(MigrationPacket Packet)
{
    /// <summary>Descriptor packets: the decoded KLVs.</summary>
    public DescriptorInfo? Descriptor { get; init; }

    /// <summary>GGTT packets: number of PTEs.</summary>
    public ulong? PteCount { get; init; }

    /// <summary>MMIO packets: the register values (at most <see cref="StreamInspector.MaxShownRegisters"/>).</summary>
    public IReadOnlyList<uint>? Registers { get; init; }

    /// <summary>MMIO packets: the number of registers in the payload.</summary>
    public ulong? RegisterCount { get; init; }

    /// <summary>VRAM packets: the byte range [Offset, End) of the VF's LMEM the chunk covers;
    /// null when offset + size does not fit in 64 bits.</summary>
    public ulong? VramEnd { get; init; }
}
