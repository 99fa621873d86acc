using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.IO;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Validation;

/// <summary>ValidationOptions.ReadChunkSize: the reads the source sees, never more than 1 MiB
/// (a bigger buffer falls out of the caches), with the same report whatever the size.</summary>
public class ReadChunkTests
{
    private sealed class RecordingStream(byte[] bytes) : ForwardReadStream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);
        public int LargestRead { get; private set; }
        public override int Read(Span<byte> buffer)
        {
            LargestRead = Math.Max(LargestRead, buffer.Length);
            return _inner.Read(buffer);
        }
    }

    [Theory]
    [InlineData(4096, 4096)]
    [InlineData(65536, 65536)]
    [InlineData(1 << 20, 1 << 20)]
    [InlineData(64 << 20, 1 << 20)]
    public void Reads_are_the_chunk_size_up_to_1_MiB_and_the_report_does_not_depend_on_it(int chunk, int largest)
    {
        var bytes = new BenchImage(4 << 20, 1 << 20).ToArray();
        var source = new RecordingStream(bytes);
        var report = StreamValidator.Validate(source, new ValidationOptions { Profile = Profile.Strict, PayloadDigest = true, ReadChunkSize = chunk });
        source.LargestRead.ShouldBe(largest);
        var reference = StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = Profile.Strict, PayloadDigest = true });
        (report.Packets, report.Bytes, report.Valid, report.Digest!.Crc32C).ShouldBe((reference.Packets, reference.Bytes, true, reference.Digest!.Crc32C));
    }
}
