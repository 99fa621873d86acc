using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Validation;

public class ValidatorRobustnessTests
{
    [Fact]
    public void The_validator_never_throws_on_arbitrary_bytes()
    {
        var save = DriverSave(SmallBmg).Bytes();
        var arb = (from mode in Gen.Choose(0, 2)
                   from seed in Gen.Choose(0, int.MaxValue)
                   from len in Gen.Choose(0, 600)
                   from profile in Gen.Elements(Profile.Kernel, Profile.Strict)
                   from withTarget in Gen.Elements(true, false)
                   select (mode, seed, len, profile, withTarget)).ToArbitrary();
        Prop.ForAll(arb, x =>
        {
            var rng = new Random(x.seed);
            byte[] bytes;
            if (x.mode == 0)
            {
                bytes = new byte[x.len];
                rng.NextBytes(bytes);
            }
            else
            {
                // The driver save with random bytes flipped, or cut short.
                bytes = (byte[])save.Clone();
                for (var i = 0; i < 1 + x.len % 8; i++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                if (x.mode == 2) bytes = bytes[..rng.Next(bytes.Length)];
            }
            var report = StreamValidator.Validate(ChunkedStream.Random(bytes, x.seed, 300),
                new ValidationOptions { Profile = x.profile, Target = x.withTarget ? SmallBmg : null });
            report.Bytes.ShouldBe(bytes.Length);
            foreach (var d in report.Diagnostics) d.StreamOffset.ShouldBeInRange(0, bytes.Length);
            CompatibilityCheck.Check(new MemoryStream(bytes), SmallBmg);
        }).Check(PropertyConfig.Quick(300));
    }

    /// <summary>A BMG save with <paramref name="lmem"/> bytes of VRAM in 512 MiB chunks, payloads virtual.</summary>
    private static SegmentStream BigSave(ulong lmem, bool seekable)
    {
        var target = TargetSpec.Parse($"bmg,lmem={lmem},ggtt=64KiB").Target;
        var s = new SegmentStream(seekable);
        var head = DriverSave(target with { LmemBytes = 0, HasLmem = false });
        s.Add(head.Take(4).Bytes());
        for (ulong off = 0; off < lmem; off += 512UL << 20)
        {
            var size = Math.Min(512UL << 20, lmem - off);
            var h = new byte[Packet.HeaderSize];
            new PacketHeader(1, PacketType.Vram, 0, 0, 0, off, size).Write(h);
            s.Add(h).AddVirtual((long)size, (span, at) => span.Fill((byte)(at >> 12)));
        }
        s.Add(head.Skip(4).Bytes());
        return s;
    }

    [Fact]
    public void A_multi_gib_image_validates_in_constant_memory_and_skips_vram_when_it_can_seek()
    {
        var lmem = 16UL << 30;
        var options = new ValidationOptions { Profile = Profile.Strict, Target = TargetSpec.Parse($"bmg,lmem=16GiB,ggtt=64KiB").Target };
        // A first, small validation takes the pooled read buffer (1 MiB, allocated once per
        // process): what is measured is what 16 GiB cost on top of a warm process.
        StreamValidator.Validate(BigSave(1UL << 30, seekable: true), options);
        var source = BigSave(lmem, seekable: true);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = StreamValidator.Validate(source, options);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1 << 20);
        report.Diagnostics.ShouldBeEmpty();
        report.Bytes.ShouldBe(source.Length);
        report.VramCoverage[0].Ranges.ShouldBe([(0UL, lmem)]);
        report.Packets.ShouldBe(7 + 32);
    }

    [Fact]
    public void A_gib_image_on_a_pipe_is_read_through_in_constant_memory()
    {
        var source = BigSave(1UL << 30, seekable: false);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = StreamValidator.Validate(source, new ValidationOptions { Profile = Profile.Strict });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before; Console.WriteLine($"ALLOC {allocated}"); allocated.ShouldBeLessThan(1 << 20);
        report.Valid.ShouldBeTrue();
        report.Bytes.ShouldBe(source.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_target_without_migration_support_is_validated_to_the_end(bool seekable)
    {
        // Entering RESUMING fails (ENOTTY), and diagnostic mode checks the rest all the same: past
        // the first read (1 MiB), inside a 3 MiB VRAM chunk, to a bad MMIO packet and the trailer.
        var target = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=4MiB,guc=70.53.0").Target;
        var packets = DriverSave(target, chunk: 3 << 20);
        packets[^2].Type.ShouldBe(PacketType.Mmio);
        var bytes = packets.With(packets.Count - 2, p => Mmio(p.Gt, 12)).Bytes();
        Stream source = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(new MemoryStream(bytes));
        var report = StreamValidator.Validate(source, new ValidationOptions { Target = target });
        report.Packets.ShouldBe(packets.Count);
        report.Bytes.ShouldBe(bytes.Length);
        report.Diagnostics.Select(d => d.Rule.Id).ShouldBe(["XE-TGT-MIGRATION", "XE-MMIO-SIZE"]);
    }

    [Fact]
    public void Diagnostics_are_capped_per_rule_and_the_rest_counted()
    {
        var packets = DriverSave(SmallBmg);
        var many = packets.Take(1).Concat(Enumerable.Repeat(Guc(0) with { Flags = 1 }, 500)).Concat(packets.Skip(1)).ToList();
        var report = StreamValidator.Validate(new MemoryStream(many.Bytes()), new ValidationOptions { Profile = Profile.Strict, Target = SmallBmg, MaxDiagnosticsPerRule = 10 });
        report.Diagnostics.Count(d => d.Rule == Rules.XeSFlags).ShouldBe(10);
        report.Counts["XE-S-FLAGS"].ShouldBe(500);
        report.Suppressed().ShouldContain(("XE-S-FLAGS", 490L));
    }

    [Fact]
    public void Vram_coverage_too_scattered_to_keep_is_marked_incomplete()
    {
        // Chunks with a gap after each: one range per chunk, more than are kept.
        var chunks = IntervalSet.MaxIntervals + 10;
        var bytes = new[] { Descriptor(SmallBmg.DeviceId, SmallBmg.RevisionId) }
            .Concat(Enumerable.Range(0, chunks).Select(i => Vram(0, (ulong)i * 8192, 4096))).Append(Trailer()).Bytes();
        var report = StreamValidator.Validate(new MemoryStream(bytes));
        report.VramCoverage[0].Incomplete.ShouldBeTrue();
        report.VramCoverage[0].Ranges.Count.ShouldBe(IntervalSet.MaxIntervals);

        using var scattered = JsonDocument.Parse(CliHarness.Run(bytes, "validate", "-", "--json").StdOut);
        scattered.RootElement.GetProperty("vramCoverageIncomplete").EnumerateArray().Select(e => e.GetInt32()).ShouldBe([0]);
        using var save = JsonDocument.Parse(CliHarness.Run(DriverSave(SmallBmg).Bytes(), "validate", "-", "--json").StdOut);
        save.RootElement.TryGetProperty("vramCoverageIncomplete", out _).ShouldBeFalse();
    }

    [Fact]
    public void Writer_driver_shaped_streams_pass_strict_for_bmg_and_ptl()
    {
        foreach (var bytes in new[] { Vectors.Sample(64 * 1024), DriverSave(SmallPtl).Bytes() })
            StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = Profile.Strict }).Diagnostics.ShouldBeEmpty();
        // Descriptor and trailer alone are what the kernel accepts, but not what a save looks like.
        var minimal = StreamValidator.Validate(new MemoryStream(Vectors.MinimalStream), new ValidationOptions { Profile = Profile.Strict });
        minimal.Diagnostics.Select(d => d.Rule.Id).Distinct().ShouldBe(["XE-S-GT-PARTS"]);
    }
}
