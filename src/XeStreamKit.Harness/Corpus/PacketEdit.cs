using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Harness.Corpus;

/// <summary>
/// One packet of a test vector with every header field free, including values the writer never
/// produces (a version of 2, a size that lies about the payload), so vectors can break any rule.
/// </summary>
public sealed record PacketEdit(PacketType Type, byte Tile, byte Gt, byte[] Payload, ulong Offset = 0)
{
    /// <summary>The header's version (1 unless a vector breaks it).</summary>
    public byte Version { get; init; } = PacketHeader.ValidValues.Version;

    /// <summary>The header's flags.</summary>
    public uint Flags { get; init; }

    /// <summary>The header's size when it should differ from the payload's length.</summary>
    public ulong? SizeOverride { get; init; }

    /// <summary>The size the header states.</summary>
    public ulong Size => SizeOverride ?? (ulong)Payload.Length;

    /// <summary>The header.</summary>
    public PacketHeader Header => new(Version, Type, Tile, Gt, Flags, Offset, Size);

    /// <summary>Header and payload bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Packet.HeaderSize + Payload.Length];
        Header.Write(bytes);
        Payload.CopyTo(bytes, Packet.HeaderSize);
        return bytes;
    }

    /// <summary>A packet from a header and its payload.</summary>
    public static PacketEdit From(in PacketHeader h, byte[] payload) =>
        new(h.Type, h.TileId, h.GtId, payload, h.Offset) { Version = h.Version, Flags = h.Flags };

    /// <summary>KLVs as descriptor payload bytes.</summary>
    public static byte[] Klvs(params (ushort Key, uint[] Value)[] klvs)
    {
        var bytes = new byte[klvs.Sum(k => KlvCodec.EncodedSize(k.Value.Length))];
        var at = 0;
        foreach (var (key, value) in klvs) at += KlvCodec.Write(bytes.AsSpan(at), (KlvKey)key, value);
        return bytes;
    }

    /// <summary>Raw dwords (for descriptors that are not well-formed KLVs).</summary>
    public static byte[] Dwords(params uint[] values)
    {
        var bytes = new byte[values.Length * KlvCodec.DwordSize];
        for (var i = 0; i < values.Length; i++) KlvCodec.WriteDword(bytes.AsSpan(i * KlvCodec.DwordSize), values[i]);
        return bytes;
    }
}

/// <summary>Packet lists: parse a (small) stream into packets, edit, write back.</summary>
public static class PacketEdits
{
    /// <summary>The packets of <paramref name="bytes"/>, which must be a well-framed stream.</summary>
    public static List<PacketEdit> Parse(byte[] bytes)
    {
        using var reader = new MigrationStreamReader(new MemoryStream(bytes), new MigrationStreamReaderOptions { RequireValidHeaders = false });
        var list = new List<PacketEdit>();
        while (reader.ReadNextPacket())
        {
            var payload = new byte[reader.Current.PayloadSize];
            reader.ReadPayloadExactly(payload);
            list.Add(PacketEdit.From(reader.Current.Header, payload));
        }
        return list;
    }

    /// <summary>The stream of <paramref name="packets"/>.</summary>
    public static byte[] ToBytes(this IEnumerable<PacketEdit> packets) => packets.SelectMany(p => p.ToBytes()).ToArray();

    /// <summary>A copy with packet <paramref name="index"/> changed.</summary>
    public static List<PacketEdit> With(this IReadOnlyList<PacketEdit> packets, int index, Func<PacketEdit, PacketEdit> edit)
    {
        var copy = new List<PacketEdit>(packets);
        copy[index] = edit(copy[index]);
        return copy;
    }

    /// <summary>A copy with <paramref name="packet"/> inserted at <paramref name="index"/>.</summary>
    public static List<PacketEdit> Inserting(this IReadOnlyList<PacketEdit> packets, int index, PacketEdit packet)
    {
        var copy = new List<PacketEdit>(packets);
        copy.Insert(index, packet);
        return copy;
    }

    /// <summary>A copy without packet <paramref name="index"/>.</summary>
    public static List<PacketEdit> Without(this IReadOnlyList<PacketEdit> packets, int index)
    {
        var copy = new List<PacketEdit>(packets);
        copy.RemoveAt(index);
        return copy;
    }

    /// <summary>Index of the first packet of <paramref name="type"/> on GT <paramref name="gt"/>.</summary>
    public static int Find(this IReadOnlyList<PacketEdit> packets, PacketType type, byte gt = 0)
    {
        for (var i = 0; i < packets.Count; i++)
            if (packets[i].Type == type && packets[i].Gt == gt) return i;
        throw new ArgumentException($"no {type} packet on GT {gt}");
    }
}
