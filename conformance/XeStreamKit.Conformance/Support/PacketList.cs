using XeStreamKit.Compatibility;
using XeStreamKit.Format;

namespace XeStreamKit.Conformance.Support;

/// <summary>One packet of a test vector: any header values (including ones the writer would
/// never produce) and a payload that may be shorter or longer than <see cref="Size"/> says.</summary>
public sealed record Pkt(PacketType Type, byte Tile, byte Gt, byte[] Payload, ulong Offset = 0)
{
    public byte Version { get; init; } = 1;
    public uint Flags { get; init; }
    /// <summary>The header's size when it should lie about the payload.</summary>
    public ulong? SizeOverride { get; init; }
    public ulong Size => SizeOverride ?? (ulong)Payload.Length;

    public byte[] Bytes()
    {
        var b = new byte[Packet.HeaderSize + Payload.Length];
        new PacketHeader(Version, Type, Tile, Gt, Flags, Offset, Size).Write(b);
        Payload.CopyTo(b, Packet.HeaderSize);
        return b;
    }
}

/// <summary>Test vectors as packet lists: driver-shaped streams for a target, then edited.</summary>
public static class PacketList
{
    /// <summary>A small BMG VF: 16 KiB of GGTT (4 PTEs) and 16 KiB of LMEM.</summary>
    public static readonly TargetProfile SmallBmg = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=16KiB").Target;

    /// <summary>A small PTL VF (no LMEM).</summary>
    public static readonly TargetProfile SmallPtl = TargetSpec.Parse("ptl,ggtt=16KiB").Target;

    public static byte[] Klvs(params (ushort Key, uint[] Value)[] klvs) =>
        klvs.SelectMany(k => BitConverter.GetBytes((uint)(k.Key << 16 | k.Value.Length)).Concat(k.Value.SelectMany(BitConverter.GetBytes))).ToArray();

    public static Pkt Descriptor(uint devid, uint revid) => new(PacketType.Descriptor, 0, 0, Klvs((0xF001, [devid]), (0xF002, [revid])));

    public static Pkt Trailer() => new(PacketType.Trailer, 0, 0, []);

    public static Pkt Guc(byte gt, int bytes = 64) => new(PacketType.Guc, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)(i + gt)).ToArray());

    public static Pkt Mmio(byte gt, int bytes = 16) => new(PacketType.Mmio, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)i).ToArray());

    public static Pkt Ggtt(byte gt, int ptes, ulong vfIdBits = 0) =>
        new(PacketType.Ggtt, 0, gt, Enumerable.Range(0, ptes).SelectMany(i => BitConverter.GetBytes((0x8000_0000UL + (ulong)i * 4096) | 3 | vfIdBits)).ToArray());

    public static Pkt Vram(byte gt, ulong offset, int bytes) => new(PacketType.Vram, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)(i * 3)).ToArray(), offset);

    /// <summary>The driver's save of a VF of <paramref name="target"/> (VRAM in <paramref name="chunk"/>-byte chunks).</summary>
    public static List<Pkt> DriverSave(TargetProfile target, int chunk = 8192)
    {
        var list = new List<Pkt> { Descriptor(target.DeviceId, target.RevisionId) };
        foreach (var gt in target.Gts)
        {
            list.Add(Guc(gt.Id));
            if (target.HasGgttNode(gt)) list.Add(Ggtt(gt.Id, (int)(target.GgttBytes!.Value / 4096)));
            list.Add(Mmio(gt.Id));
            if (target.HasLmemObject(gt))
                for (ulong off = 0; off < target.LmemBytes; off += (ulong)chunk)
                    list.Add(Vram(gt.Id, off, (int)Math.Min((ulong)chunk, target.LmemBytes!.Value - off)));
        }
        list.Add(Trailer());
        return list;
    }

    public static byte[] Bytes(this IEnumerable<Pkt> packets) => packets.SelectMany(p => p.Bytes()).ToArray();

    /// <summary>A copy with packet <paramref name="index"/> replaced.</summary>
    public static List<Pkt> With(this List<Pkt> packets, int index, Func<Pkt, Pkt> edit)
    {
        var copy = new List<Pkt>(packets);
        copy[index] = edit(copy[index]);
        return copy;
    }

    public static int IndexOf(this List<Pkt> packets, PacketType type, byte gt = 0) => packets.FindIndex(p => p.Type == type && p.Gt == gt);
}
