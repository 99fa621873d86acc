using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Reading;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Performance;

/// <summary>What both benchmark harnesses measure is what they claim: the image is a driver
/// save of the length they divide by, the encoder writes the same packets, save and restore move
/// the VF's state intact.</summary>
public class WorkloadTests
{
    private static List<PacketHeader> Headers(byte[] bytes)
    {
        using var r = new MigrationStreamReader(new MemoryStream(bytes));
        return r.ReadPackets().Select(p => p.Header).ToList();
    }

    [Theory]
    [InlineData(64 * 1024, 4096)]
    [InlineData(1 << 20, 512 << 20)]
    [InlineData(1 << 20, 384 * 1024)]
    public void The_image_is_a_strict_driver_save_of_the_announced_length(ulong lmem, ulong chunk)
    {
        var image = new BenchImage(lmem, chunk);
        var bytes = image.ToArray();
        bytes.LongLength.ShouldBe(image.Length);
        var report = StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = Profile.Strict });
        report.Diagnostics.ShouldBeEmpty();
        report.Packets.ShouldBe(image.VramPackets + 7);
        report.Packets.ShouldBe(image.Packets);
        Headers(bytes).Count(h => h.Type == PacketType.Vram).ShouldBe((int)image.VramPackets);
    }

    [Fact]
    public void Encoding_writes_the_packets_of_the_save_with_the_same_length()
    {
        var image = new BenchImage(1 << 20, 256 * 1024);
        var saved = image.ToArray();
        using var source = image.OpenSource();
        var output = new MemoryStream();
        var written = Workloads.Encode(source, image.VramChunk, output, new byte[100_000]);
        written.ShouldBe(saved.LongLength);
        var encoded = output.ToArray();
        Headers(encoded).ShouldBe(Headers(saved));
        StreamValidator.Validate(new MemoryStream(encoded), new ValidationOptions { Profile = Profile.Strict }).Diagnostics.ShouldBeEmpty();
        // Everything but VRAM content (written from the reused buffer) is the VF's own state.
        encoded.AsSpan(0, 4096).SequenceEqual(saved.AsSpan(0, 4096)).ShouldBeTrue();
    }

    [Fact]
    public void Save_and_restore_move_the_state_and_can_be_repeated()
    {
        var image = new BenchImage(512 * 1024, 128 * 1024);
        using var source = image.OpenSource();
        using var destination = image.OpenDestination();
        var buffer = new byte[Workloads.DefaultChunk];
        Workloads.Save(source, buffer).ShouldBe(image.Length);
        Workloads.Save(source, buffer).ShouldBe(image.Length);
        destination.Vf.Digest().ShouldNotBe(source.Vf.Digest());
        var bytes = image.ToArray();
        Workloads.Restore(destination, bytes);
        Workloads.Restore(destination, bytes, chunk: 1000);
        destination.Vf.Digest().ShouldBe(source.Vf.Digest());
    }

    [Fact]
    public void An_emulated_restore_allocates_nothing_per_vram_packet()
    {
        long Allocated(ulong chunk)
        {
            var image = new BenchImage(4 << 20, chunk);
            var bytes = image.ToArray();
            using var destination = image.OpenDestination();
            Workloads.Restore(destination, bytes);
            var before = GC.GetAllocatedBytesForCurrentThread();
            Workloads.Restore(destination, bytes);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        var few = Allocated(4 << 20);   // 1 VRAM packet
        var many = Allocated(4096);     // 1024 VRAM packets
        (many - few).ShouldBeLessThan(1024, $"{many - few} more bytes for 1023 more VRAM packets (a restore itself costs {few})");
    }

    [Fact]
    public void A_forward_only_stream_hides_seeking_so_validation_reads_every_byte()
    {
        var bytes = new BenchImage(8 << 20, 4 << 20).ToArray();
        var counting = new CountingStream(new MemoryStream(bytes));
        using var stream = new ForwardOnlyStream(counting);
        stream.CanSeek.ShouldBeFalse();
        Workloads.Validate(stream, digest: false).Bytes.ShouldBe(bytes.Length);
        counting.BytesRead.ShouldBe(bytes.Length);

        var seekable = new CountingStream(new MemoryStream(bytes));
        Workloads.Validate(seekable, digest: false).Bytes.ShouldBe(bytes.Length);
        seekable.BytesRead.ShouldBeLessThan(bytes.Length / 2);
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
