using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Format;

namespace XeStreamKit.Tests.Support;

/// <summary>Test vectors as packet lists: driver-shaped streams for a target, then edited.</summary>
public static class PacketList
{
    /// <summary>A small BMG VF: 16 KiB of GGTT (4 PTEs) and 16 KiB of LMEM.</summary>
    public static readonly TargetProfile SmallBmg = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=16KiB").Target;

    /// <summary>A small PTL VF (no LMEM).</summary>
    public static readonly TargetProfile SmallPtl = TargetSpec.Parse("ptl,ggtt=16KiB").Target;

    public static PacketEdit Descriptor(uint devid, uint revid) => new(PacketType.Descriptor, 0, 0, PacketEdit.Klvs((0xF001, [devid]), (0xF002, [revid])));

    public static PacketEdit Trailer() => new(PacketType.Trailer, 0, 0, []);

    public static PacketEdit Guc(byte gt, int bytes = 64) => new(PacketType.Guc, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)(i + gt)).ToArray());

    public static PacketEdit Mmio(byte gt, int bytes = 16) => new(PacketType.Mmio, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)i).ToArray());

    public static PacketEdit Ggtt(byte gt, int ptes, ulong vfIdBits = 0) =>
        new(PacketType.Ggtt, 0, gt, Enumerable.Range(0, ptes).SelectMany(i => BitConverter.GetBytes((0x8000_0000UL + (ulong)i * 4096) | 3 | vfIdBits)).ToArray());

    public static PacketEdit Vram(byte gt, ulong offset, int bytes) => new(PacketType.Vram, 0, gt, Enumerable.Range(0, bytes).Select(i => (byte)(i * 3)).ToArray(), offset);

    /// <summary>The driver's save of a VF of <paramref name="target"/> (VRAM in <paramref name="chunk"/>-byte chunks).</summary>
    public static List<PacketEdit> DriverSave(TargetProfile target, int chunk = 8192)
    {
        var list = new List<PacketEdit> { Descriptor(target.DeviceId, target.RevisionId) };
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

    /// <summary>Same as <see cref="PacketEdits.ToBytes"/>; kept only for Validation/ValidatorRobustnessTests.cs (use ToBytes).</summary>
    public static byte[] Bytes(this IEnumerable<PacketEdit> packets) => packets.ToBytes();
}

/// <summary>Where the packets of the driver's save of <see cref="PacketList.SmallBmg"/> are: the
/// descriptor, GT 0 (GuC, GGTT, MMIO, two VRAM chunks), GT 1 (GuC, MMIO), the trailer. The
/// indices are shared by the rule, error-table and hazard tests, which edit fresh copies
/// (<see cref="Save"/>).</summary>
public static class SmallBmgSave
{
    /// <summary>A fresh copy of the save, to edit.</summary>
    public static List<PacketEdit> Save() => PacketList.DriverSave(PacketList.SmallBmg);

    /// <summary>The save itself, to read from (edit a <see cref="Save"/> copy instead).</summary>
    public static readonly List<PacketEdit> S = Save();

    /// <summary>Packet indices in the save.</summary>
    public static readonly int Desc = S.Find(PacketType.Descriptor), Trl = S.Find(PacketType.Trailer),
        Guc0 = S.Find(PacketType.Guc), Ggtt0 = S.Find(PacketType.Ggtt), Mmio0 = S.Find(PacketType.Mmio), Vram0 = S.Find(PacketType.Vram),
        Guc1 = S.Find(PacketType.Guc, 1), Mmio1 = S.Find(PacketType.Mmio, 1);
}

