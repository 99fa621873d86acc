using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Validation;

/// <summary>
/// <c>ValidationOptions.PayloadDigest</c>: one validation pass also gives the CRC-32C of the
/// whole stream, of each type's payloads and of each packet's payload, equal to the
/// straightforward CRC of those bytes however the source delivers them.
/// </summary>
public class PayloadDigestTests
{
    private static byte[] Save(string spec)
    {
        using var device = DeviceSpec.Open(spec);
        device.Pause();
        return device.SaveToBytes();
    }

    private static readonly byte[] Image = Save("emulated:bmg,lmem=192KiB,ggtt=64KiB,chunk=64KiB");

    private static StreamDigest Digest(Stream source, int maxPackets = ValidationOptions.DefaultMaxPacketDigests) =>
        StreamValidator.Validate(source, new ValidationOptions { Profile = Profile.Strict, PayloadDigest = true, MaxPacketDigests = maxPackets }).Digest!;

    private static List<(MigrationPacket Packet, byte[] Payload)> Packets(byte[] bytes)
    {
        using var r = new MigrationStreamReader(new MemoryStream(bytes));
        var list = new List<(MigrationPacket, byte[])>();
        while (r.ReadNextPacket())
        {
            var payload = new byte[r.Current.PayloadSize];
            r.ReadPayloadExactly(payload);
            list.Add((r.Current, payload));
        }
        return list;
    }

    public static IEnumerable<object[]> Sources()
    {
        yield return ["file-like (seekable)"];
        yield return ["pipe, 1-byte reads"];
        yield return ["pipe, random reads"];
        yield return ["pipe, 64 KiB reads"];
    }

    private static Stream Open(string how, byte[] bytes) => how switch
    {
        "file-like (seekable)" => new MemoryStream(bytes, writable: false),
        "pipe, 1-byte reads" => ChunkedStream.OneByte(bytes),
        "pipe, random reads" => ChunkedStream.Random(bytes, 11, 5000),
        _ => new ChunkedStream(bytes, () => 64 << 10),
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Stream_type_and_packet_crcs_equal_the_straightforward_crc_of_their_bytes(string how)
    {
        var digest = Digest(Open(how, Image));
        digest.Bytes.ShouldBe(Image.Length);
        digest.Crc32C.ShouldBe(Crc32CReference.Compute(Image));

        var packets = Packets(Image);
        digest.Packets.Count.ShouldBe(packets.Count);
        digest.PacketsNotKept.ShouldBe(0);
        for (var i = 0; i < packets.Count; i++)
        {
            var (p, payload) = packets[i];
            var d = digest.Packets[i];
            (d.Index, d.StreamOffset, d.Header, d.PayloadBytes, d.Complete).ShouldBe((p.Index, p.StreamOffset, p.Header, (ulong)payload.Length, true));
            d.Crc32C.ShouldBe(Crc32CReference.Compute(payload), $"packet #{i}");
        }

        var byType = packets.GroupBy(p => p.Packet.Type).OrderBy(g => (byte)g.Key).ToList();
        digest.ByType.Select(t => t.Type).ShouldBe(byType.Select(g => g.Key));
        foreach (var g in byType)
        {
            var t = digest.ByType.Single(x => x.Type == g.Key);
            var concatenated = g.SelectMany(p => p.Payload).ToArray();
            (t.Packets, t.PayloadBytes, t.Crc32C).ShouldBe((g.Count(), (ulong)concatenated.Length, Crc32CReference.Compute(concatenated)), g.Key.ToString());
        }
    }

    [Fact]
    public void The_vram_crc_is_the_lmem_content_whatever_the_chunk_size()
    {
        var small = Digest(new MemoryStream(Save("emulated:bmg,lmem=192KiB,ggtt=64KiB,chunk=4KiB")));
        var large = Digest(new MemoryStream(Image));
        small.ByType.Single(t => t.Type == PacketType.Vram).ShouldBe(large.ByType.Single(t => t.Type == PacketType.Vram) with { Packets = 48 });
        small.Crc32C.ShouldNotBe(large.Crc32C);
    }

    [Fact]
    public void A_stream_cut_anywhere_has_the_crc_of_the_bytes_present_and_marks_the_cut_packet()
    {
        var bytes = Vectors.SmallDriverShaped();
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var part = bytes[..cut];
            var digest = Digest(ChunkedStream.Random(part, cut, 40));
            digest.Crc32C.ShouldBe(Crc32CReference.Compute(part), $"cut at {cut}");
            digest.Bytes.ShouldBe(cut);
            if (digest.Packets.Count > 0 && digest.Packets[^1] is var last && !last.Complete)
            {
                var present = part.AsSpan((int)last.StreamOffset + Packet.HeaderSize);
                last.PayloadBytes.ShouldBe((ulong)present.Length);
                last.Crc32C.ShouldBe(Crc32CReference.Compute(present));
            }
        }
    }

    [Fact]
    public void Packet_digests_beyond_the_limit_are_counted_not_kept_and_the_other_crcs_still_cover_them()
    {
        var all = Digest(new MemoryStream(Image));
        var few = Digest(new MemoryStream(Image), maxPackets: 3);
        few.Packets.ShouldBe(all.Packets.Take(3));
        few.PacketsNotKept.ShouldBe(all.Packets.Count - 3);
        (few.Crc32C, few.Bytes).ShouldBe((all.Crc32C, all.Bytes));
        few.ByType.ShouldBe(all.ByType);
    }

    [Fact]
    public void Digesting_changes_no_diagnostic_and_structural_validation_has_no_digest()
    {
        var broken = (byte[])Image.Clone();
        broken[Packet.HeaderSize + 4] ^= 0xFF; // the descriptor's devid
        broken[Image.Length - Packet.HeaderSize + 1] = 9; // the trailer's type
        var plain = StreamValidator.Validate(new MemoryStream(broken), new ValidationOptions { Profile = Profile.Strict });
        var digested = StreamValidator.Validate(new MemoryStream(broken), new ValidationOptions { Profile = Profile.Strict, PayloadDigest = true });
        plain.Digest.ShouldBeNull();
        plain.Diagnostics.ShouldNotBeEmpty();
        digested.Diagnostics.ShouldBe(plain.Diagnostics);
        (digested.Errors, digested.Warnings, digested.Packets, digested.Bytes).ShouldBe((plain.Errors, plain.Warnings, plain.Packets, plain.Bytes));
        digested.Digest!.Crc32C.ShouldBe(Crc32CReference.Compute(broken));
    }
}
