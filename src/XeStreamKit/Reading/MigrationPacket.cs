using XeStreamKit.Format;

namespace XeStreamKit.Reading;

/// <summary>A packet's header and where it sits in the stream.</summary>
/// <param name="Header">The decoded 24-byte header.</param>
/// <param name="Index">Zero-based position of the packet in the stream.</param>
/// <param name="StreamOffset">Absolute offset of the header's first byte.</param>
public readonly record struct MigrationPacket(PacketHeader Header, long Index, long StreamOffset)
{
    /// <summary>Absolute offset of the payload's first byte.</summary>
    public long PayloadOffset => StreamOffset + Packet.HeaderSize;

    /// <summary>Payload length in bytes (the header's <c>size</c>).</summary>
    public ulong PayloadSize => Packet.PayloadSize(Header);

    /// <summary>The packet type (possibly a value the spec does not define).</summary>
    public PacketType Type => Header.Type;

    /// <summary>Field path of a header field for diagnostics, e.g. <c>header.tile_id</c>.</summary>
    public static string HeaderField(string fieldId) => Packet.HeaderFieldId + "." + fieldId;

    /// <summary>Absolute offset of a header field, from the spec's layout.</summary>
    public long HeaderFieldOffset(int fieldOffset) => StreamOffset + fieldOffset;
}
