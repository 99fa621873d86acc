using XeStreamKit.Harness.Corpus;
using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Tests.Support;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Report;

/// <summary>
/// The compatibility verdicts the report computes inside the validation pass (a
/// <see cref="CompatibilityTee"/> under <see cref="StreamValidator"/>) are exactly those of
/// <see cref="CompatibilityCheck"/> run on its own, for every stored corpus vector and several
/// targets, also when the validation seeks over payloads (tiny read chunks) and the targets'
/// models must be fed the skipped bytes or skip them too.
/// </summary>
public sealed class CompatibilityTeeTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(1 << 20)]
    public void Verdicts_from_the_validation_pass_equal_compat_on_its_own(int readChunk)
    {
        var checkedVectors = 0;
        foreach (var vector in CorpusGenerator.Vectors().Where(v => v.Entry.Stored))
        {
            string[] specs = [vector.Entry.Target, "bmg", "ptl", "bmg,lmem=16KiB,ggtt=16KiB,driver=6.19"];
            var targets = specs.Select(s => TargetSpec.Parse(s).Target).ToList();
            using var source = vector.Open();
            using var tee = new CompatibilityTee(source, targets);
            StreamValidator.Validate(tee, new ValidationOptions { Profile = Profile.Strict, ReadChunkSize = readChunk });
            var inPass = tee.Finish();
            for (var i = 0; i < targets.Count; i++)
            {
                using var again = vector.Open();
                var alone = CompatibilityCheck.Check(again, targets[i]);
                var where = $"{vector.Entry.Name} on {specs[i]}";
                inPass[i].Compatible.ShouldBe(alone.Compatible, where);
                inPass[i].Reason.ShouldBe(alone.Reason, where);
                inPass[i].Failure?.At.ShouldBe(alone.Failure!.At, where);
                inPass[i].Warnings.Select(w => w.Rule.Id).ShouldBe(alone.Warnings.Select(w => w.Rule.Id), where);
            }
            checkedVectors++;
        }
        checkedVectors.ShouldBeGreaterThan(50);
    }

    [Fact]
    public void A_seek_over_bytes_a_target_must_parse_is_read_through_for_it_and_one_it_can_skip_is_skipped()
    {
        // Descriptor (16 bytes of KLVs the target's model parses), GuC (4 KiB it may skip), trailer.
        var packets = new List<PacketEdit> { PacketList.Descriptor(0xE211, 0), PacketList.Guc(0, 4096), PacketList.Trailer() };
        var bytes = packets.ToBytes();
        var target = TargetSpec.Parse("bmg").Target;
        using var source = new MemoryStream(bytes);
        using var tee = new CompatibilityTee(source, [target]);
        var header = new byte[Packet.HeaderSize];
        tee.ReadExactly(header);
        tee.Seek(16, SeekOrigin.Current);            // the descriptor's KLVs: read through
        tee.ReadExactly(header);
        tee.Seek(4096, SeekOrigin.Current);          // the GuC blob: skipped
        tee.ReadExactly(header);
        tee.Read(header).ShouldBe(0);
        tee.Position.ShouldBe(bytes.Length);
        var verdict = tee.Finish().Single();
        verdict.Errno.ShouldBe(Errno.ENODEV);        // seen only if the KLVs reached the model
        verdict.Reason.ShouldBe(CompatibilityCheck.Check(new MemoryStream(bytes), target).Reason);
    }
}
