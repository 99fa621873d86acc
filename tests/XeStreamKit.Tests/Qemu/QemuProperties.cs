using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;
using XeStreamKit.Format;
using XeStreamKit.Writing;

namespace XeStreamKit.Tests.Qemu;

/// <summary>FsCheck properties of wrapping and extracting (fixed seed, see PropertyConfig).</summary>
public class QemuProperties
{
    private static readonly Config Quick = PropertyConfig.Quick(150);

    /// <summary>An Xe packet chain: descriptor, any packets in between, trailer.</summary>
    private static readonly Gen<byte[]> XeChain =
        from middle in Gen.ListOf(
            from type in Gen.Elements<byte>(3, 4, 5, 6, 0, 7, 200)
            from size in Gen.Choose(0, 600)
            from seed in Gen.Choose(0, int.MaxValue)
            select (Type: (PacketType)type, Size: type == 3 ? size / 8 * 8 : type == 4 ? size / 4 * 4 : size, Seed: seed))
        from devid in Gen.Choose(0, 0xFFFF)
        select Chain((uint)devid, middle);

    private static byte[] Chain(uint devid, IEnumerable<(PacketType Type, int Size, int Seed)> middle)
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            w.WriteDescriptor(devid, 0);
            foreach (var (type, size, seed) in middle)
            {
                var payload = new byte[size];
                new Random(seed).NextBytes(payload);
                w.WritePacket(type, 0, 0, payload);
            }
            w.WriteTrailer();
        }
        return ms.ToArray();
    }

    private static readonly Gen<int> BlockSize = Gen.OneOf(Gen.Choose(1, 64), Gen.Choose(65, 5000), Gen.Elements(4096, 1 << 20));

    [Fact]
    public void Wrapping_any_xe_stream_with_any_block_size_and_extracting_gives_identical_bytes()
    {
        var arb = (from xe in XeChain
                   from block in BlockSize
                   from footers in Gen.Elements(true, false)
                   from configuration in Gen.Elements(true, false)
                   from decoys in Gen.Elements(true, false)
                   from devices in Gen.Choose(1, 3)
                   from pick in Gen.Choose(0, 2)
                   from chunkSeed in Gen.Choose(0, int.MaxValue)
                   select (xe, block, footers, configuration, decoys, devices, pick: pick % devices, chunkSeed)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var ids = Enumerable.Range(0, input.devices).Select(i => $"0000:00:0{2 + i}.0/vfio").ToArray();
            var streams = ids.Select((_, i) => i == input.pick ? input.xe : Vectors.MinimalStream).ToArray();
            var image = QemuImages.Build(new QemuImageSpec
            {
                Footers = input.footers,
                Configuration = input.configuration,
                Decoys = input.decoys,
                Devices = [.. ids.Select((id, i) => new VfioDeviceSpec(id, streams[i], input.block))],
            });
            var extracted = QemuImages.Extract(ChunkedStream.Random(image, input.chunkSeed, 4099), ids[input.pick]);
            extracted.ShouldBe(input.xe);
        }).Check(Quick);
    }

    [Fact]
    public void Injecting_any_xe_stream_then_extracting_gives_it_back_and_keeps_every_other_byte()
    {
        var arb = (from original in XeChain
                   from replacement in XeChain
                   from block in BlockSize
                   from footers in Gen.Elements(true, false)
                   select (original, replacement, block, footers)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var image = QemuImages.Build(new QemuImageSpec
            {
                Footers = input.footers,
                Decoys = true,
                Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", input.original, 4096), new VfioDeviceSpec("0000:00:03.0/vfio", Vectors.MinimalStream)],
            });
            using var output = new MemoryStream();
            var result = QemuDeviceStateInjector.Inject(new MemoryStream(image), "0000:00:02.0/vfio", new MemoryStream(input.replacement), output, input.block);
            var injected = output.ToArray();
            result.BytesWritten.ShouldBe(injected.Length);
            QemuImages.Extract(new MemoryStream(injected)).ShouldBe(input.replacement);
            QemuImages.Extract(new MemoryStream(injected), "0000:00:03.0/vfio").ShouldBe(Vectors.MinimalStream);
            var start = (int)result.Device.EndPayloadOffset;
            var tail = image.Length - (int)result.Device.EndOfStateOffset;
            injected[..start].ShouldBe(image[..start]);
            injected[^tail..].ShouldBe(image[^tail..]);
        }).Check(Quick);
    }

    [Fact]
    public void Arbitrary_bytes_after_a_valid_header_only_ever_raise_the_format_exception()
    {
        var image = QemuImages.Build(new QemuImageSpec { Decoys = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Vectors.MinimalStream, 16)] });
        var arb = (from cut in Gen.Choose(8, image.Length)
                   from flips in Gen.ListOf(from at in Gen.Choose(8, image.Length - 1) from value in Gen.Choose(0, 255) select (at, (byte)value))
                   from seed in Gen.Choose(0, 1000)
                   select (cut, flips.ToArray(), seed)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var bytes = (byte[])image.Clone();
            foreach (var (at, value) in input.Item2) bytes[at] = value;
            bytes = bytes[..input.cut];
            try
            {
                using var reader = new QemuMigrationReader(ChunkedStream.Random(bytes, input.seed, 300), new QemuMigrationReaderOptions { BufferSize = 4096 });
                var lookup = reader.FindDeviceData();
                if (lookup.Data is { } data) XeStreamChain.CopyVerified(data, Stream.Null);
                while (reader.ReadNextSection())
                {
                }
                reader.Position.ShouldBe(bytes.Length);
            }
            catch (MigrationStreamFormatException e)
            {
                e.StreamOffset.ShouldBeInRange(0, bytes.Length);
                e.Message.ShouldStartWith("offset 0x");
            }
        }).Check(Quick);
    }
}
