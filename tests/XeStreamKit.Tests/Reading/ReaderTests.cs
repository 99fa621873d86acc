using System.Buffers.Binary;
using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Reading;

public class ReaderTests
{
    private sealed record Seen(PacketHeader Header, long Index, long Offset, byte[] Payload);

    private static List<Seen> ReadAll(Stream stream, MigrationStreamReaderOptions? options = null)
    {
        using var reader = new MigrationStreamReader(stream, options);
        var seen = new List<Seen>();
        while (reader.ReadNextPacket())
        {
            var p = reader.Current;
            var payload = new byte[p.PayloadSize];
            reader.ReadPayloadExactly(payload);
            seen.Add(new Seen(p.Header, p.Index, p.StreamOffset, payload));
        }
        return seen;
    }

    [Fact]
    public void Minimal_stream_yields_descriptor_then_trailer_with_absolute_offsets()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Vectors.MinimalStream));
        reader.ReadNextPacket().ShouldBeTrue();
        reader.Current.Index.ShouldBe(0);
        reader.Current.StreamOffset.ShouldBe(0);
        reader.Current.PayloadOffset.ShouldBe(24);
        var d = reader.ReadDescriptor();
        (d.DeviceId, d.RevisionId, d.KlvCount).ShouldBe((0xE20Bu, 0u, 2L));
        reader.ReadNextPacket().ShouldBeTrue();
        reader.Current.Type.ShouldBe(PacketType.Trailer);
        reader.Current.StreamOffset.ShouldBe(40);
        reader.ReadNextPacket().ShouldBeFalse();
        reader.ReadNextPacket().ShouldBeFalse();
        reader.Position.ShouldBe(64);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Any_read_chunking_gives_the_same_packets(int seedOrSize)
    {
        var data = Vectors.Sample(200_000);
        var expected = ReadAll(new MemoryStream(data));
        expected.Count.ShouldBe(8);
        ReadAll(new ChunkedStream(data, () => seedOrSize), new() { BufferSize = 64 }).ShouldBe(expected, ignoreOrder: false, comparer: SeenComparer.Instance);
        ReadAll(ChunkedStream.Random(data, seedOrSize)).ShouldBe(expected, ignoreOrder: false, comparer: SeenComparer.Instance);
    }

    private sealed class SeenComparer : IEqualityComparer<Seen>
    {
        public static readonly SeenComparer Instance = new();
        public bool Equals(Seen? x, Seen? y) => x!.Header == y!.Header && x.Index == y.Index && x.Offset == y.Offset && x.Payload.AsSpan().SequenceEqual(y.Payload);
        public int GetHashCode(Seen obj) => obj.Header.GetHashCode();
    }

    [Fact]
    public void Payload_can_be_copied_streamed_chunked_or_skipped_with_the_same_result()
    {
        var data = Vectors.Sample(100_000);
        var reference = ReadAll(new MemoryStream(data));
        foreach (var mode in new[] { "copy", "stream", "chunk", "skip", "partial" })
        {
            using var reader = new MigrationStreamReader(ChunkedStream.Random(data, 5), new() { BufferSize = 1024 });
            var i = 0;
            while (reader.ReadNextPacket())
            {
                var expected = reference[i++];
                reader.Current.Header.ShouldBe(expected.Header);
                var got = new MemoryStream();
                switch (mode)
                {
                    case "copy": reader.CopyPayloadTo(got); break;
                    case "stream": reader.OpenPayload().CopyTo(got); break;
                    case "chunk":
                        for (var c = reader.ReadPayloadChunk(333); !c.IsEmpty; c = reader.ReadPayloadChunk(333)) got.Write(c);
                        break;
                    case "partial":
                        var half = new byte[expected.Payload.Length / 2];
                        reader.ReadPayloadExactly(half);
                        got.Write(half);
                        break;
                }
                if (mode is "skip" or "partial") got.ToArray().ShouldBe(expected.Payload.AsSpan(0, (int)got.Length).ToArray());
                else got.ToArray().ShouldBe(expected.Payload, $"packet {i - 1} via {mode}");
            }
            i.ShouldBe(reference.Count);
        }
    }

    [Fact]
    public void A_payload_stream_is_bound_to_its_packet()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Vectors.MinimalStream));
        reader.ReadNextPacket();
        var payload = reader.OpenPayload();
        payload.Length.ShouldBe(16);
        payload.ReadByte().ShouldBe(1);
        payload.Position.ShouldBe(1);
        reader.ReadNextPacket();
        Should.Throw<InvalidOperationException>(() => payload.ReadByte());
    }

    [Theory]
    [InlineData(1UL << 62)]
    [InlineData(ulong.MaxValue)]
    [InlineData((ulong)long.MaxValue + 1)]
    public void A_huge_size_claim_fails_fast_in_bounded_memory_when_the_source_can_seek(ulong claim)
    {
        var data = Vectors.HeaderBytes(PacketType.Vram, claim).Concat(new byte[4096]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = new MigrationStreamReader(new MemoryStream(data));
        reader.ReadNextPacket().ShouldBeTrue();
        reader.Current.PayloadSize.ShouldBe(claim);
        var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadNextPacket());
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(64 * 1024);
        e.Message.ShouldBe($"offset 0x18: packet #0 (VRAM): payload truncated, 4096 of {claim} bytes present");
        e.StreamOffset.ShouldBe(24);
        e.Field.ShouldBe("payload");
    }

    [Fact]
    public void A_huge_size_claim_on_a_pipe_reads_only_what_exists_in_bounded_memory()
    {
        var data = Vectors.HeaderBytes(PacketType.Vram, 1UL << 62).Concat(new byte[3 << 20]).ToArray();
        var buffer = new byte[1 << 16];
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = new MigrationStreamReader(new ChunkedStream(data, () => 1 << 20));
        reader.ReadNextPacket().ShouldBeTrue();
        var e = Should.Throw<MigrationStreamFormatException>(() => { while (reader.ReadPayload(buffer) > 0) { } });
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(64 * 1024);
        e.Message.ShouldContain($"payload truncated, {3 << 20} of 4611686018427387904 bytes present");
    }

    [Fact]
    public void Truncated_payload_message_names_offset_packet_type_and_counts()
    {
        // Descriptor (0x28 bytes), then a GuC header claiming 256 bytes with only 100 present.
        var data = Vectors.DescriptorE20B.Concat(Vectors.HeaderBytes(PacketType.Guc, 256)).Concat(new byte[100]).ToArray();
        foreach (var stream in new Stream[] { new MemoryStream(data), ChunkedStream.OneByte(data) })
        {
            using var reader = new MigrationStreamReader(stream);
            reader.ReadNextPacket();
            reader.ReadNextPacket();
            var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadNextPacket());
            e.Message.ShouldBe("offset 0x40: packet #1 (GuC): payload truncated, 100 of 256 bytes present");
            (e.PacketIndex, e.PacketType, e.Field).ShouldBe((1L, PacketType.Guc, "payload"));
            reader.ReadNextPacket().ShouldBeFalse();
        }
    }

    [Fact]
    public void Version_other_than_1_is_rejected_at_the_version_field_unless_the_caller_wants_raw_headers()
    {
        var data = Vectors.HeaderBytes(PacketType.Trailer, 0, version: 2);
        using (var reader = new MigrationStreamReader(new MemoryStream(data)))
        {
            var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadNextPacket());
            e.Message.ShouldBe("offset 0x0: packet #0 (trailer): header.version must be 1, found 2");
        }
        using (var lenient = new MigrationStreamReader(new MemoryStream(data), new() { RequireValidHeaders = false }))
        {
            lenient.ReadNextPacket().ShouldBeTrue();
            lenient.Current.Header.Version.ShouldBe((byte)2);
        }
    }

    [Fact]
    public void A_klv_running_past_the_descriptor_is_reported_at_its_value()
    {
        // Descriptor of 12 bytes: DEVID (8 bytes), then a header claiming 1 value dword with none left.
        var payload = Hex.Bytes("01 00 01 F0 | 0B E2 00 00 | 01 00 02 F0");
        var data = Vectors.HeaderBytes(PacketType.Descriptor, (ulong)payload.Length).Concat(payload).ToArray();
        using var reader = new MigrationStreamReader(ChunkedStream.OneByte(data));
        reader.ReadNextPacket();
        var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadDescriptor());
        e.Message.ShouldBe("offset 0x24: packet #0 (descriptor): payload.klvs[1].value truncated, 0 of 4 bytes present");
    }

    [Fact]
    public void A_descriptor_that_is_not_whole_dwords_is_reported_at_the_partial_klv_header()
    {
        var payload = Hex.Bytes("00 00 00 00 | 01 00");
        var data = Vectors.HeaderBytes(PacketType.Descriptor, (ulong)payload.Length).Concat(payload).ToArray();
        using var reader = new MigrationStreamReader(new MemoryStream(data));
        reader.ReadNextPacket();
        var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadDescriptor());
        e.Message.ShouldBe("offset 0x1C: packet #0 (descriptor): payload.klvs[1].header truncated, 2 of 4 bytes present");
    }

    [Fact]
    public void A_ggtt_payload_that_is_not_whole_ptes_is_reported_at_the_size_field()
    {
        var data = Vectors.HeaderBytes(PacketType.Ggtt, 12).Concat(new byte[12]).ToArray();
        using var reader = new MigrationStreamReader(new MemoryStream(data));
        reader.ReadNextPacket();
        var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadGgttPtes(new ulong[4]));
        e.Message.ShouldBe("offset 0x10: packet #0 (GGTT): header.size 12 is not a whole number of 8-byte ptes");
    }

    [Fact]
    public void Ggtt_ptes_and_mmio_registers_decode_across_reads()
    {
        var data = Vectors.SmallDriverShaped();
        using var reader = new MigrationStreamReader(ChunkedStream.OneByte(data), new() { BufferSize = 64 });
        var ptes = new List<ulong>();
        var regs = new List<uint>();
        Span<ulong> p = stackalloc ulong[2];
        Span<uint> r = stackalloc uint[3];
        while (reader.ReadNextPacket())
        {
            if (reader.Current.Type == PacketType.Ggtt)
                for (int n; (n = reader.ReadGgttPtes(p)) > 0;) ptes.AddRange(p[..n].ToArray());
            if (reader.Current.Type == PacketType.Mmio)
                for (int n; (n = reader.ReadMmioRegisters(r)) > 0;) regs.AddRange(r[..n].ToArray());
        }
        ptes.ShouldBe([0x1003UL, 0x2003UL, 0x3003UL]);
        regs.ShouldBe([1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u]);
    }

    [Fact]
    public void Start_offset_shifts_every_reported_offset()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(Vectors.MinimalStream), new() { StartOffset = 0x1000 });
        reader.ReadNextPacket();
        reader.ReadNextPacket();
        reader.Current.StreamOffset.ShouldBe(0x1028);
    }

    [Fact]
    public void Payload_bytes_are_handed_out_without_a_payload_sized_buffer()
    {
        // 8 MiB VRAM chunk read through a 64 KiB buffer: allocation stays far below the payload size.
        const int size = 8 << 20;
        var data = new byte[Packet.HeaderSize + size];
        new PacketHeader(1, PacketType.Vram, 0, 0, 0, 0, size).Write(data);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Packet.HeaderSize + size - 8), 0xDEADBEEF);
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = new MigrationStreamReader(new ChunkedStream(data, () => 1 << 20), new() { BufferSize = 64 * 1024 });
        reader.ReadNextPacket();
        ulong last = 0;
        for (var c = reader.ReadPayloadChunk(); !c.IsEmpty; c = reader.ReadPayloadChunk())
            if (c.Length >= 8) last = BinaryPrimitives.ReadUInt64LittleEndian(c[^8..]);
        last.ShouldBe(0xDEADBEEFUL);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(256 * 1024);
    }
}
