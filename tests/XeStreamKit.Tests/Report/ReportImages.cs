using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Qemu;
using XeStreamKit.Tests.Support;
using XeStreamKit.Format;

namespace XeStreamKit.Tests.Report;

/// <summary>The images the report tests draw: a driver-shaped BMG save, one with holes and errors,
/// QEMU files with and without a VFIO device, and a pathological stream for the size cap.</summary>
public static class ReportImages
{
    /// <summary>A BMG VF with 4 MiB of LMEM (GGTT of 16 MiB: 4096 PTEs), saved in 1 MiB chunks the way the driver shapes a save.</summary>
    public const string ValidTarget = "bmg,ggtt=16MiB,lmem=4MiB";

    /// <summary>The target the broken image is checked against.</summary>
    public const string BrokenTarget = "bmg,ggtt=16MiB,lmem=4MiB";

    public static byte[] ValidBmg() => PacketList.DriverSave(TargetSpec.Parse(ValidTarget).Target, chunk: 1 << 20).ToBytes();

    /// <summary>
    /// The valid save, broken the ways the report must show: a VRAM chunk missing (a hole at
    /// 1 MiB), one sent twice at an overlapping offset, one past the 4 MiB of LMEM, the GGTT PTEs
    /// carrying VF id 1, a 12-byte MMIO payload, and no trailer.
    /// </summary>
    public static byte[] GapsAndErrors()
    {
        var packets = PacketList.DriverSave(TargetSpec.Parse(BrokenTarget).Target, chunk: 1 << 20);
        var vram = packets.FindAll(p => p.Type == PacketType.Vram);
        packets.Remove(vram[1]);                                                  // hole [1 MiB, 2 MiB)
        var overlap = packets.IndexOf(vram[3]);
        packets.Insert(overlap + 1, PacketList.Vram(0, (3 << 20) - (256 << 10), 512 << 10)); // sent twice: 256 KiB of each neighbour
        packets.Insert(overlap + 2, PacketList.Vram(0, 4 << 20, 1 << 20));       // past the LMEM
        var ggtt = packets.FindIndex(p => p.Type == PacketType.Ggtt);
        packets[ggtt] = PacketList.Ggtt(0, 4096, vfIdBits: 1UL << GgttPte.VfIdShift);
        var mmio = packets.FindIndex(p => p.Type == PacketType.Mmio);
        packets[mmio] = PacketList.Mmio(0, bytes: 12);
        packets.RemoveAt(packets.Count - 1);                                      // no trailer
        return packets.ToBytes();
    }

    /// <summary>A QEMU migration file (built by the test suite's writer) whose VFIO device carries <see cref="ValidBmg"/>.</summary>
    public static byte[] QemuWithDevice() => QemuImages.Build(new QemuImageSpec
    {
        Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", ValidBmg(), 1 << 20)],
    });

    /// <summary>The checked-in QEMU fixture (written by QEMU 7.2; no VFIO device).</summary>
    public static string QemuFixture => Path.Combine(RepoPaths.Root, "tests", "XeStreamKit.Tests", "Qemu", "fixtures", "qemu-7.2-pc-16m.bin");

    /// <summary>A descriptor, then <paramref name="chunks"/> 16-byte VRAM chunks that never continue each other, then a trailer.</summary>
    public static byte[] ScatteredChunks(int chunks)
    {
        var packets = new List<PacketEdit> { PacketList.Descriptor(0xE20B, 0) };
        for (var i = 0; i < chunks; i++) packets.Add(PacketList.Vram(0, (ulong)i * 64, 16));
        packets.Add(PacketList.Trailer());
        return packets.ToBytes();
    }
}
