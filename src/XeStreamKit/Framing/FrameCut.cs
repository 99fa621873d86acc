using XeStreamKit.Format;

namespace XeStreamKit.Framing;

/// <summary>Where a stream that ends here is cut (<see cref="PacketFramer.Cut"/>): inside packet
/// <paramref name="PacketIndex"/>'s header or payload, with <paramref name="Present"/> of its
/// <paramref name="Expected"/> bytes. The reader's <see cref="MigrationStreamFormatException"/> and
/// the driver model's truncation rule are both worded from it.</summary>
/// <param name="PacketIndex">Index of the cut packet.</param>
/// <param name="PacketOffset">Absolute offset of its header.</param>
/// <param name="Type">Its type, when the header was complete.</param>
/// <param name="InHeader">True when the header is cut, false when the payload is.</param>
/// <param name="Present">Bytes of the cut field that are there.</param>
/// <param name="Expected">Bytes the field has (24 for a header, the header's size for a payload).</param>
internal readonly record struct FrameCut(long PacketIndex, long PacketOffset, PacketType? Type, bool InHeader, ulong Present, ulong Expected)
{
    /// <summary>The cut field's spec id: <c>header</c> or <c>payload</c>.</summary>
    public string Field => InHeader ? Packet.HeaderFieldId : Packet.PayloadFieldId;

    /// <summary>Absolute offset of the cut field's first byte.</summary>
    public long FieldOffset => InHeader ? PacketOffset : PacketOffset + Packet.HeaderSize;

    /// <summary>The reader's error: <c>offset 0x..: packet #N (Type): payload truncated, P of E bytes present</c>.</summary>
    public MigrationStreamFormatException ToException() =>
        MigrationStreamFormatException.Truncated(FieldOffset, PacketIndex, Type, Field, Present, Expected);

    /// <summary>The driver model's words: <c>the stream ends inside packet #N (payload P of E bytes)</c>.</summary>
    public string EndsInside => $"the stream ends inside packet #{PacketIndex} ({Field} {Present} of {Expected} bytes)";
}
