using System.Text.Json.Serialization;
using XeStreamKit.Format;
using XeStreamKit.Inspection;
using XeStreamKit.Cli.Plumbing;

namespace XeStreamKit.Cli.Json;

/// <summary><c>xsk inspect --json</c>: where a stream inside a QEMU file came from.</summary>
public sealed record InspectContainerJson(string Format, string? MachineType, string Device, long SectionId, long FirstDataOffset);

/// <summary><c>xsk inspect --json</c>: one packet (a row of <c>packets</c>, streamed). u64 fields can
/// exceed 2^53, past which JavaScript and jq 1.6 round: offset and size are exact as hex too.
/// Descriptor, GGTT, MMIO and VRAM packets add their members; the others leave them out.</summary>
public sealed record InspectPacketJson(
    long Index, long StreamOffset, byte Version, string Type, byte TypeId, byte TileId, byte GtId, uint Flags, ulong Offset, ulong Size,
    string OffsetHex, string SizeHex,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalNumber Devid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalNumber Revid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? KlvCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<InspectKlvJson>? Klvs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ulong? PteCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ulong? RegisterCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<uint>? Registers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalNumber VramEnd,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OptionalString VramEndHex)
{
    /// <summary>The row for one summarized packet.</summary>
    public static InspectPacketJson Of(PacketSummary s)
    {
        var p = s.Packet;
        var h = p.Header;
        var d = s.Descriptor;
        var vram = h.Type == PacketType.Vram;
        return new(p.Index, p.StreamOffset, h.Version, PacketTypeText.Id(h.Type), (byte)h.Type, h.TileId, h.GtId, h.Flags, h.Offset, h.Size,
            Units.Hex(h.Offset), Units.Hex(h.Size),
            d is null ? default : OptionalNumber.Of(d.DeviceId),
            d is null ? default : OptionalNumber.Of(d.RevisionId),
            d?.KlvCount,
            d?.Klvs.Select(InspectKlvJson.Of).ToArray(),
            s.PteCount,
            s.Registers is null ? null : s.RegisterCount ?? 0,
            s.Registers,
            vram ? OptionalNumber.Of(s.VramEnd) : default,
            vram ? OptionalString.Of(s.VramEnd is { } end ? Units.Hex(end) : null) : default);
    }
}

/// <summary>One KLV of a descriptor: key, name (null when unknown), length in dwords, the first value dwords.</summary>
public sealed record InspectKlvJson(ushort Key, string? Name, ushort Len, long StreamOffset, IReadOnlyList<uint> Value, bool ValueElided)
{
    /// <summary>From the decoded KLV.</summary>
    public static InspectKlvJson Of(KlvEntry k) => new((ushort)k.Key, KlvKeyInfo.IdOf(k.Key), k.Length, k.StreamOffset, k.Value, k.ValueElided);
}

/// <summary><c>xsk inspect --json</c>: the totals after the packets.</summary>
public sealed record InspectTotalsJson(long Packets, long Bytes, ulong VramBytes, uint? Devid, uint? Revid, IReadOnlyList<PacketTypeCountJson> ByType)
{
    /// <summary>From the totals.</summary>
    public static InspectTotalsJson Of(StreamTotals t) => new(t.Packets, t.Bytes, t.VramBytes, t.DeviceId, t.RevisionId, PacketTypeCountJson.Of(t.ByType));
}
