using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Writing;

namespace XeStreamKit.Tests.Properties;

/// <summary>FsCheck properties of the reader and writer together.</summary>
public class RoundTripProperties
{
    public sealed record PacketSpec(PacketType Type, byte Tile, byte Gt, ulong Offset, byte[] Payload)
    {
        public override string ToString() => $"{Type}(t{Tile},g{Gt},off=0x{Offset:X},{Payload.Length}B)";
    }

    private static readonly Config Quick = PropertyConfig.Quick();

    private static Gen<byte[]> Bytes(int maxLength, int multiple) =>
        from n in Gen.Choose(0, maxLength / multiple)
        from b in Gen.ArrayOf(Gen.Choose(0, 255).Select(x => (byte)x), n * multiple)
        select b;

    private static readonly Gen<PacketSpec> PacketGen =
        from type in Gen.Elements<byte>(1, 2, 3, 4, 5, 6, 0, 7, 200).Select(t => (PacketType)t)
        from tile in Gen.Choose(0, 2)
        from gt in Gen.Choose(0, 3)
        from page in Gen.Choose(0, 1 << 20)
        from payload in type switch
        {
            PacketType.Ggtt => Bytes(256, 8),
            PacketType.Mmio => Bytes(64, 4),
            PacketType.Trailer => Gen.Constant(Array.Empty<byte>()),
            _ => Bytes(300, 1),
        }
        select new PacketSpec(type, (byte)tile, (byte)gt, type == PacketType.Vram ? (ulong)page * 4096 : 0, payload);

    private static readonly Arbitrary<(PacketSpec[] Packets, int Seed, int BufferSize)> StreamArb =
        (from packets in Gen.ArrayOf(PacketGen, 0).Select(_ => Array.Empty<PacketSpec>()).Or(Gen.NonEmptyListOf(PacketGen).Select(l => l.ToArray()))
         from seed in Gen.Choose(0, int.MaxValue)
         from buffer in Gen.Elements(64, 100, 4096, 1 << 18)
         select (packets, seed, buffer)).ToArbitrary();

    private static byte[] WriteAll(IEnumerable<PacketSpec> packets)
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true, bufferSize: 128))
            foreach (var p in packets)
                w.WritePacket(p.Type, p.Tile, p.Gt, p.Payload, p.Offset);
        return ms.ToArray();
    }

    private static List<PacketSpec> ReadAll(Stream source, int bufferSize)
    {
        using var reader = new MigrationStreamReader(source, new() { BufferSize = bufferSize });
        var list = new List<PacketSpec>();
        while (reader.ReadNextPacket())
        {
            var h = reader.Current.Header;
            h.Version.ShouldBe(PacketHeader.ValidValues.Version);
            h.Flags.ShouldBe(0u);
            var payload = new byte[reader.Current.PayloadSize];
            reader.ReadPayloadExactly(payload);
            list.Add(new PacketSpec(h.Type, h.TileId, h.GtId, h.Offset, payload));
        }
        return list;
    }

    [Fact]
    public void Writer_then_reader_round_trips_byte_exact_under_any_read_chunking()
    {
        Prop.ForAll(StreamArb, input =>
        {
            var bytes = WriteAll(input.Packets);
            bytes.Length.ShouldBe(input.Packets.Sum(p => Packet.HeaderSize + p.Payload.Length));
            var read = ReadAll(ChunkedStream.Random(bytes, input.Seed, max: 50), input.BufferSize);
            read.Count.ShouldBe(input.Packets.Length);
            for (var i = 0; i < read.Count; i++)
            {
                (read[i].Type, read[i].Tile, read[i].Gt, read[i].Offset).ShouldBe((input.Packets[i].Type, input.Packets[i].Tile, input.Packets[i].Gt, input.Packets[i].Offset));
                read[i].Payload.ShouldBe(input.Packets[i].Payload);
            }
            WriteAll(read).ShouldBe(bytes);
        }).Check(Quick);
    }

    [Fact]
    public void Descriptor_klvs_round_trip_through_writer_and_reader()
    {
        var klvGen =
            from key in Gen.Choose(0, ushort.MaxValue)
            from len in Gen.Choose(0, 20)
            from values in Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue).Select(v => (uint)v), len)
            select new KlvValue((KlvKey)key, values);
        var arb = (from klvs in Gen.ListOf(klvGen) from seed in Gen.Choose(0, 1000) select (klvs.ToArray(), seed)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var (klvs, seed) = input;
            using var ms = new MemoryStream();
            using (var w = new MigrationStreamWriter(ms, leaveOpen: true)) w.WriteDescriptor(klvs);
            using var reader = new MigrationStreamReader(ChunkedStream.Random(ms.ToArray(), seed, 7));
            reader.ReadNextPacket().ShouldBeTrue();
            var info = reader.ReadDescriptor();
            info.KlvCount.ShouldBe(klvs.Length);
            info.Klvs.Count.ShouldBe(Math.Min(klvs.Length, DescriptorInfo.MaxKeptKlvs));
            for (var i = 0; i < info.Klvs.Count; i++)
            {
                var k = info.Klvs[i];
                k.Key.ShouldBe(klvs[i].Key);
                k.Length.ShouldBe((ushort)klvs[i].Value.Length);
                k.Value.ShouldBe(klvs[i].Value.ToArray().Take(KlvDecoder.DefaultKeptValueDwords).ToArray());
                k.ValueElided.ShouldBe(klvs[i].Value.Length > KlvDecoder.DefaultKeptValueDwords);
            }
            var firstDev = klvs.FirstOrDefault(k => k.Key == KlvKey.DeviceId && k.Value.Length > 0);
            info.DeviceId.ShouldBe(firstDev.Value.Length > 0 ? firstDev.Value.Span[0] : null);
        }).Check(Quick);
    }

    [Fact]
    public void Arbitrary_bytes_only_ever_raise_the_format_exception()
    {
        var header = from type in Gen.Choose(0, 8) from size in Gen.Elements(0UL, 3UL, 8UL, 16UL, 40UL, 1UL << 40, ulong.MaxValue)
                     from version in Gen.Elements<byte>(1, 1, 1, 0, 2)
                     select Vectors.HeaderBytes((PacketType)type, size, version);
        var arb = (from parts in Gen.ListOf(Gen.OneOf(header, Bytes(64, 1)))
                   from strict in Gen.Elements(true, false)
                   from seed in Gen.Choose(0, 1000)
                   select (parts.SelectMany(b => b).ToArray(), strict, seed)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var (data, strict, seed) = input;
            try
            {
                using var reader = new MigrationStreamReader(ChunkedStream.Random(data, seed, 13), new() { RequireValidHeaders = strict, BufferSize = 64 });
                Span<ulong> ptes = stackalloc ulong[4];
                Span<uint> regs = stackalloc uint[4];
                while (reader.ReadNextPacket())
                {
                    switch (reader.Current.Type)
                    {
                        case PacketType.Descriptor: reader.ReadDescriptor(); break;
                        case PacketType.Ggtt: while (reader.ReadGgttPtes(ptes) > 0) { } break;
                        case PacketType.Mmio: while (reader.ReadMmioRegisters(regs) > 0) { } break;
                    }
                }
                reader.Position.ShouldBe(data.Length);
            }
            catch (MigrationStreamFormatException e)
            {
                e.StreamOffset.ShouldBeInRange(0, data.Length);
                e.Message.ShouldStartWith("offset 0x");
            }
        }).Check(Quick);
    }
}
