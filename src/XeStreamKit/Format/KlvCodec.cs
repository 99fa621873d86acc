using System.Buffers.Binary;

namespace XeStreamKit.Format;

/// <summary>
/// Encoding helpers for GuC-style KLVs on top of the generated <see cref="KlvHeader"/> and
/// <see cref="Klv"/>: a header dword (key in bits 31:16, length in dwords in bits 15:0), then
/// the value dwords in the spec's byte order.
/// </summary>
public static class KlvCodec
{
    /// <summary>Bytes per value dword (the spec's <c>size: header.len * 4</c>).</summary>
    public const int DwordSize = 4;

    /// <summary>Encoded size of a KLV with <paramref name="valueDwords"/> value dwords.</summary>
    public static int EncodedSize(int valueDwords)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueDwords);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(valueDwords, ushort.MaxValue);
        return Klv.HeaderSize + (int)Klv.ValueSize(new KlvHeader((ushort)valueDwords, default));
    }

    /// <summary>Writes the header of a KLV with <paramref name="valueDwords"/> value dwords.</summary>
    public static void WriteHeader(Span<byte> destination, KlvKey key, int valueDwords)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(valueDwords, ushort.MaxValue);
        new KlvHeader((ushort)valueDwords, key).Write(destination);
    }

    /// <summary>Encodes one KLV - its header, then <paramref name="value"/> - at the start of
    /// <paramref name="destination"/>; returns the bytes written (<see cref="EncodedSize"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Write(Span<byte> destination, KlvKey key, ReadOnlySpan<uint> value)
    {
        var size = EncodedSize(value.Length);
        if (destination.Length < size) throw new ArgumentException($"A KLV of {value.Length} dwords needs {size} bytes, got {destination.Length}.", nameof(destination));
        WriteHeader(destination, key, value.Length);
        var values = destination[Klv.HeaderSize..];
        for (var i = 0; i < value.Length; i++) WriteDword(values[(i * DwordSize)..], value[i]);
        return size;
    }

    /// <summary>The header dword as the GuC ABI writes it: <c>key &lt;&lt; 16 | len</c>.</summary>
    public static uint HeaderDword(KlvHeader header) => (uint)(ushort)header.Key << 16 | header.Len;

    /// <summary>Reads one value dword.</summary>
    public static uint ReadDword(ReadOnlySpan<byte> source)
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(source);
        return XeSriovMigration.BigEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    /// <summary>Writes one value dword.</summary>
    public static void WriteDword(Span<byte> destination, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(destination, XeSriovMigration.BigEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
}
