using XeStreamKit.Devices.Benchmarking;
using XeStreamKit.IO;
using XeStreamKit.Validation;

namespace XeStreamKit.Conformance.Validation;

/// <summary>Validation allocates per stream, never per packet: a stream of 4 KiB VRAM chunks
/// costs no more memory than one of a few big chunks (steady state, after a warm-up).</summary>
public class AllocationTests
{
    private static long Allocated(byte[] image, Profile profile)
    {
        var options = new ValidationOptions { Profile = profile };
        StreamValidator.Validate(new ForwardOnlyStream(new MemoryStream(image)), options);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = StreamValidator.Validate(new ForwardOnlyStream(new MemoryStream(image)), options);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        report.Valid.ShouldBeTrue();
        return allocated;
    }

    [Theory]
    [InlineData(Profile.Kernel)]
    [InlineData(Profile.Strict)]
    public void Structural_validation_allocates_nothing_per_packet(Profile profile)
    {
        var few = new BenchImage(16UL << 20, 8UL << 20).ToArray();   // 9 packets
        var many = new BenchImage(16UL << 20, 4096).ToArray();       // 4103 packets
        var perStream = Allocated(few, profile);
        var extra = Allocated(many, profile) - perStream;
        extra.ShouldBeLessThan(4096 / 8, $"{extra} more bytes for 4094 more packets (the stream itself costs {perStream})");
    }
}
