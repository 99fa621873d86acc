using System.Globalization;
using XeStreamKit.Format;

namespace XeStreamKit;

/// <summary>
/// Bad data in a migration stream: where (absolute byte offset, packet index and type, field
/// path) and what was expected. API misuse raises the standard argument and operation
/// exceptions instead (the split System.Formats.Cbor makes).
/// </summary>
/// <example>offset 0x40: packet #1 (GuC): payload truncated, 100 of 256 bytes present</example>
public sealed class MigrationStreamFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="packetIndex"/> is -1 outside any packet.</summary>
    public MigrationStreamFormatException(long streamOffset, long packetIndex, PacketType? packetType, string field, string problem)
        : base(Compose(streamOffset, packetIndex, packetType, field, problem))
    {
        StreamOffset = streamOffset;
        PacketIndex = packetIndex;
        PacketType = packetType;
        Field = field;
        Problem = problem;
    }

    /// <summary>Absolute byte offset of the offending field in the stream.</summary>
    public long StreamOffset { get; }

    /// <summary>Zero-based index of the packet, or -1.</summary>
    public long PacketIndex { get; }

    /// <summary>The packet's type when its header was complete.</summary>
    public PacketType? PacketType { get; }

    /// <summary>Field path in spec ids, e.g. <c>header</c>, <c>payload</c>, <c>payload.klvs[1].value</c>.</summary>
    public string Field { get; }

    /// <summary>What was expected and what was found, e.g. <c>truncated, 100 of 256 bytes present</c>.</summary>
    public string Problem { get; }

    private static string Compose(long offset, long index, PacketType? type, string field, string problem)
    {
        var where = index < 0 ? "" : type is { } t
            ? $"packet #{index.ToString(CultureInfo.InvariantCulture)} ({PacketTypeText.Display(t)}): "
            : $"packet #{index.ToString(CultureInfo.InvariantCulture)}: ";
        return $"offset 0x{offset:X}: {where}{field} {problem}";
    }

    internal static MigrationStreamFormatException Truncated(long offset, long index, PacketType? type, string field, ulong present, ulong expected) =>
        new(offset, index, type, field, $"truncated, {present.ToString(CultureInfo.InvariantCulture)} of {expected.ToString(CultureInfo.InvariantCulture)} bytes present");
}
