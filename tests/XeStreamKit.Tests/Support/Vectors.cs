using XeStreamKit.Devices.Emulated;
using XeStreamKit.Format;
using XeStreamKit.Writing;

namespace XeStreamKit.Tests.Support;

/// <summary>Byte vectors computed by hand from docs/format.md.</summary>
public static class Vectors
{
    /// <summary>docs/format.md#typical-streams: a trailer is exactly 01 02 00 00 followed by 20 zero bytes.</summary>
    public static readonly byte[] Trailer = Hex.Bytes("01 02 00 00" + new string('0', 40));

    /// <summary>docs/format.md#descriptor: descriptor for device 0xE20B revision 0: header (version 1, type 1, tile 0,
    /// gt 0, flags 0, offset 0, size 16), then DEVID and REVID KLVs of one dword each.</summary>
    public static readonly byte[] DescriptorE20B = Hex.Bytes(
        "01 01 00 00 | 00000000 | 0000000000000000 | 1000000000000000 |" +
        "01 00 01 F0 | 0B E2 00 00 | 01 00 02 F0 | 00 00 00 00");

    /// <summary>A packet header alone, as the writer encodes it (tile 0, flags 0), for streams the writer would not make.</summary>
    public static byte[] HeaderBytes(PacketType type, ulong size, byte version = 1, byte gt = 0, ulong offset = 0)
    {
        var b = new byte[PacketHeader.EncodedSize];
        new PacketHeader(version, type, 0, gt, 0, offset, size).Write(b);
        return b;
    }

    /// <summary>Descriptor then trailer: the smallest well-formed save.</summary>
    public static byte[] MinimalStream => [.. DescriptorE20B, .. Trailer];

    /// <summary>A BMG-shaped stream from the writer with small payloads (for exhaustive truncation).</summary>
    public static byte[] SmallDriverShaped()
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            w.WriteDescriptor(0xE20B, 0);
            w.WritePacket(PacketType.Guc, 0, 0, Enumerable.Range(0, 36).Select(i => (byte)i).ToArray());
            w.WriteGgtt(0, 0, [0x1003, 0x2003, 0x3003]);
            w.WriteMmio(0, 0, [1, 2, 3, 4]);
            w.WritePacket(PacketType.Vram, 0, 0, Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray(), offset: 0);
            w.WritePacket(PacketType.Guc, 0, 1, new byte[8]);
            w.WriteMmio(0, 1, [5, 6, 7, 8]);
            w.WriteTrailer();
        }
        return ms.ToArray();
    }

    /// <summary>The demo's BMG sample with <paramref name="lmem"/> bytes of VRAM.</summary>
    public static byte[] Sample(ulong lmem = 64 * 1024)
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
            WriteSample(w, 0xE20B, 0, lmem, seed: 1);
        return ms.ToArray();
    }

    /// <summary>The driver's save order for a discrete part with one tile: main GT 0 with GGTT and
    /// VRAM, media GT 1 without; contents derived from <paramref name="seed"/>. Used to make
    /// sample streams with the writer alone.</summary>
    public static void WriteSample(MigrationStreamWriter writer, uint deviceId, uint revisionId, ulong lmemBytes, ulong seed)
    {
        writer.WriteDescriptor(deviceId, revisionId);
        Span<byte> guc = stackalloc byte[4096];
        for (byte gt = 0; gt < 2; gt++)
        {
            var main = gt == 0;
            SeededBytes.Fill(guc, seed ^ (0x6C00UL + gt), 0);
            writer.WritePacket(PacketType.Guc, 0, gt, guc);
            if (main)
            {
                var ptes = new ulong[1024];
                for (var i = 0; i < ptes.Length; i++) ptes[i] = (0x8000_0000UL + (ulong)i * 4096) | GgttPte.PresentBit | GgttPte.LocalMemoryBit;
                writer.WriteGgtt(0, gt, ptes);
            }
            writer.WriteMmio(0, gt, [(uint)seed, gt, 0, 0xA5A5_0000u + gt]);
            if (main)
            {
                var chunk = new byte[1 << 20];
                for (ulong offset = 0; offset < lmemBytes; offset += EmulatedPf.DriverVramChunk)
                {
                    var size = Math.Min(EmulatedPf.DriverVramChunk, lmemBytes - offset);
                    writer.BeginPacket(PacketType.Vram, 0, gt, size, offset);
                    for (ulong done = 0; done < size;)
                    {
                        var n = (int)Math.Min((ulong)chunk.Length, size - done);
                        SeededBytes.Fill(chunk.AsSpan(0, n), seed, offset + done);
                        writer.WritePayload(chunk.AsSpan(0, n));
                        done += (ulong)n;
                    }
                    writer.EndPacket();
                }
            }
        }
        writer.WriteTrailer();
    }
}
