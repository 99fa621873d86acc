using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.IO;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Validation;

/// <summary>Validation allocates per stream, never per packet: a stream of 4 KiB VRAM chunks
/// costs no more memory than one of a few big chunks (steady state, after a warm-up).</summary>
public class AllocationTests
{
    private static long Allocated(byte[] image, Profile profile)
    {
        var (allocated, report) = Allocated(image, new ValidationOptions { Profile = profile });
        report.Valid.ShouldBeTrue();
        return allocated;
    }

    private static (long Allocated, ValidationReport Report) Allocated(byte[] image, ValidationOptions options)
    {
        StreamValidator.Validate(new ForwardOnlyStream(new MemoryStream(image)), options);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = StreamValidator.Validate(new ForwardOnlyStream(new MemoryStream(image)), options);
        return (GC.GetAllocatedBytesForCurrentThread() - before, report);
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

    [Theory]
    [InlineData(Profile.Kernel)]
    [InlineData(Profile.Strict)]
    public void The_packets_of_a_failed_gt_allocate_nothing_per_packet(Profile profile)
    {
        // GT 0 fails on its MMIO packet; each later write for it fails too, but diagnostic mode
        // names that once, so the rest cost nothing.
        var target = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=16MiB").Target;
        byte[] Image(int chunks) => new[] { Descriptor(target.DeviceId, target.RevisionId), Mmio(0, 12) }
            .Concat(Enumerable.Range(0, chunks).Select(i => Vram(0, (ulong)i * 4096, 4096))).Append(Trailer()).Bytes();
        var options = new ValidationOptions { Profile = profile, Target = target };
        var (perStream, few) = Allocated(Image(2), options);
        var (allocated, many) = Allocated(Image(4096), options);
        foreach (var r in new[] { few, many })
        {
            r.Counts[Rules.XeMmioSize.Id].ShouldBe(1);
            r.Counts[Rules.XeGtFailed.Id].ShouldBe(1);
        }
        var extra = allocated - perStream;
        extra.ShouldBeLessThan(4096 / 8, $"{extra} more bytes for 4094 more packets (the stream itself costs {perStream})");
    }
}
