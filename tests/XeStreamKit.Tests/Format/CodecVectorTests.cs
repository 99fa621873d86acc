using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Writing;

namespace XeStreamKit.Tests.Format;

/// <summary>The generated codecs and the writer against byte vectors computed by hand from docs/format.md.</summary>
public class CodecVectorTests
{
    private static byte[] Write(Action<MigrationStreamWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true)) body(w);
        return ms.ToArray();
    }

    [Fact]
    public void Trailer_is_01_02_00_00_then_20_zero_bytes()
    {
        Write(w => w.WriteTrailer()).ShouldBe(Vectors.Trailer);
        var h = PacketHeader.Read(Vectors.Trailer);
        h.ShouldBe(new PacketHeader(1, PacketType.Trailer, 0, 0, 0, 0, 0));
    }

    [Fact]
    public void Descriptor_for_E20B_revision_0_matches_the_driver_bytes()
    {
        Write(w => w.WriteDescriptor(0xE20B, 0)).ShouldBe(Vectors.DescriptorE20B);
    }

    [Fact]
    public void Header_fields_are_little_endian_in_declaration_order()
    {
        var header = new PacketHeader(1, PacketType.Vram, 2, 3, 0x44332211, 0x0102030405060708, 0x1112131415161718);
        var bytes = new byte[PacketHeader.EncodedSize];
        header.Write(bytes);
        bytes.ShouldBe(Hex.Bytes("01 06 02 03 | 11 22 33 44 | 08 07 06 05 04 03 02 01 | 18 17 16 15 14 13 12 11"));
        PacketHeader.Read(bytes).ShouldBe(header);
    }

    [Fact]
    public void Header_read_needs_24_bytes_and_ignores_what_follows()
    {
        var data = Vectors.MinimalStream;
        PacketHeader.TryRead(data.AsSpan(0, 23), out _).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => PacketHeader.Read(data.AsSpan(0, 23)));
        PacketHeader.Read(data).Size.ShouldBe(16UL);
    }

    [Fact]
    public void Klv_header_dword_is_key_shifted_16_or_length()
    {
        var bytes = new byte[KlvHeader.Size];
        KlvCodec.WriteHeader(bytes, KlvKey.DeviceId, 1);
        bytes.ShouldBe(Hex.Bytes("01 00 01 F0"));
        KlvCodec.HeaderDword(KlvHeader.Read(bytes)).ShouldBe(0xF0010001u);
        Klv.ValueSize(new KlvHeader(3, KlvKey.RevisionId)).ShouldBe(12UL);
        KlvCodec.EncodedSize(1).ShouldBe(8);
    }

    [Fact]
    public void Descriptor_with_extra_klvs_derives_every_length()
    {
        var bytes = Write(w => w.WriteDescriptor(0xB080, 4, [new KlvValue((KlvKey)0xF0AB, new uint[] { 7, 8 })]));
        // 16 bytes of DEVID/REVID, then header 0xF0AB0002 and two dwords.
        bytes.AsSpan(24 + 16).ToArray().ShouldBe(Hex.Bytes("02 00 AB F0 | 07 00 00 00 | 08 00 00 00"));
        PacketHeader.Read(bytes).Size.ShouldBe(28UL);

        using var reader = new MigrationStreamReader(new MemoryStream(bytes));
        reader.ReadNextPacket().ShouldBeTrue();
        var d = reader.ReadDescriptor();
        d.DeviceId.ShouldBe(0xB080u);
        d.RevisionId.ShouldBe(4u);
        d.Klvs.Select(k => ((ushort)k.Key, k.Length)).ShouldBe([(0xF001, 1), (0xF002, 1), (0xF0AB, 2)]);
        d.Klvs[2].IsKnownKey.ShouldBeFalse();
        d.Klvs[2].Value.ShouldBe([7u, 8u]);
        d.Klvs[2].StreamOffset.ShouldBe(40L);
    }

    [Fact]
    public void Ggtt_and_mmio_payloads_are_little_endian_elements()
    {
        var bytes = Write(w =>
        {
            w.WriteGgtt(0, 0, [0x0000_0000_8000_1003UL]);
            w.WriteMmio(0, 1, [0xA1B2C3D4u, 1]);
        });
        bytes.AsSpan(24, 8).ToArray().ShouldBe(Hex.Bytes("03 10 00 80 00 00 00 00"));
        bytes.AsSpan(32, 24).ToArray().ShouldBe(Hex.Bytes("01 04 00 01 | 00000000 | 0000000000000000 | 0800000000000000"));
        bytes.AsSpan(56).ToArray().ShouldBe(Hex.Bytes("D4 C3 B2 A1 | 01 00 00 00"));
    }

    [Fact]
    public void Ggtt_pte_vf_id_lives_in_bits_11_to_2()
    {
        var pte = new GgttPte(0x8000_1003UL | (5UL << 2));
        pte.VfId.ShouldBe(5u);
        pte.Present.ShouldBeTrue();
        pte.LocalMemory.ShouldBeTrue();
        pte.WithVfId(0).Value.ShouldBe(0x8000_1003UL);
        pte.WithVfId(0x3FF).Value.ShouldBe(0x8000_1003UL | 0xFFCUL);
        Should.Throw<ArgumentOutOfRangeException>(() => pte.WithVfId(0x400));
    }

    [Fact]
    public void Packet_type_names_come_from_the_spec()
    {
        PacketTypeInfo.Defined.Select(PacketTypeText.Id).ShouldBe(["descriptor", "trailer", "ggtt", "mmio", "guc", "vram"]);
        PacketTypeText.Id((PacketType)7).ShouldBe("unknown");
        PacketTypeText.Display(PacketType.Guc).ShouldBe("GuC");
        PacketTypeText.Display((PacketType)0).ShouldBe("type 0");
        PacketTypeInfo.TryParse("vram", out var t).ShouldBeTrue();
        t.ShouldBe(PacketType.Vram);
        Packet.PayloadKindOf(PacketType.Mmio).ShouldBe(PacketPayloadKind.MmioPayload);
        Packet.PayloadKindOf(PacketType.Vram).ShouldBe(PacketPayloadKind.Opaque);
    }

    [Fact]
    public void Writer_refuses_to_end_a_packet_that_is_owed_bytes()
    {
        using var w = new MigrationStreamWriter(new MemoryStream());
        w.BeginPacket(PacketType.Guc, 0, 0, 8);
        w.WritePayload(new byte[4]);
        Should.Throw<InvalidOperationException>(() => w.EndPacket());
        Should.Throw<InvalidOperationException>(() => w.WritePayload(new byte[5]));
        Should.Throw<InvalidOperationException>(() => w.BeginPacket(PacketType.Guc, 0, 0, 0));
        w.WritePayload(new byte[4]);
        w.EndPacket();
    }

    [Fact]
    public void Writer_streams_a_payload_from_a_stream_and_fails_when_it_is_short()
    {
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var bytes = Write(w => w.WritePacket(PacketType.Vram, 0, 0, new MemoryStream(payload), payload.Length, offset: 0x1000));
        PacketHeader.Read(bytes).ShouldBe(new PacketHeader(1, PacketType.Vram, 0, 0, 0, 0x1000, 5000));
        bytes.AsSpan(24).ToArray().ShouldBe(payload);

        using var w = new MigrationStreamWriter(new MemoryStream());
        Should.Throw<EndOfStreamException>(() => w.WritePacket(PacketType.Vram, 0, 0, new MemoryStream(new byte[10]), 11));
    }
}
