using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Inspection;

/// <summary>
/// Summarises packets for <c>xsk inspect</c>: reads what a summary needs (descriptor KLVs, MMIO
/// registers) and nothing else, so the cost is per packet, not per payload byte. Payloads that
/// break the spec's shape (a GGTT or MMIO payload that is not a whole number of elements, a
/// truncated KLV) raise <see cref="MigrationStreamFormatException"/>.
/// </summary>
public static class StreamInspector
{
    /// <summary>MMIO registers shown per packet (the driver writes 4).</summary>
    public const int MaxShownRegisters = 16;

    /// <summary>Summarises the reader's current packet, consuming only what the summary needs.</summary>
    public static PacketSummary Summarize(MigrationStreamReader reader)
    {
        var packet = reader.Current;
        switch (Packet.PayloadKindOf(packet.Type))
        {
            case PacketPayloadKind.DescriptorPayload:
                return new PacketSummary(packet) { Descriptor = reader.ReadDescriptor() };
            case PacketPayloadKind.GgttPayload:
                reader.EnsureWholeElements(GgttPayload.ElementSize, GgttPayload.ElementFieldId);
                return new PacketSummary(packet) { PteCount = GgttPayload.ElementCount(packet.PayloadSize) };
            case PacketPayloadKind.MmioPayload:
                Span<uint> registers = stackalloc uint[MaxShownRegisters];
                var n = reader.ReadMmioRegisters(registers);
                return new PacketSummary(packet) { Registers = registers[..n].ToArray(), RegisterCount = MmioPayload.ElementCount(packet.PayloadSize) };
        }
        if (packet.Type == PacketType.Vram)
        {
            var end = packet.Header.Offset + packet.PayloadSize;
            return new PacketSummary(packet) { VramEnd = end < packet.Header.Offset ? null : end };
        }
        return new PacketSummary(packet);
    }
}
