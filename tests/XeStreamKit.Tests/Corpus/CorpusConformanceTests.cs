using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Driver;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Corpus;

/// <summary>The corpus against our implementations: validator, model and emulated restore must
/// pass every vector, for both driver versions and under several write splits.</summary>
public class CorpusConformanceTests
{
    private static readonly IReadOnlyList<CorpusVector> Vectors = CorpusGenerator.Vectors().Where(v => v.Entry.Stored).ToList();

    public static TheoryData<string, string, string> Runs()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var driver in new[] { "6.19", "newest" })
        {
            data.Add("validator", driver, "1MiB");
            data.Add("model", driver, "1");
            data.Add("model", driver, "random:3");
            data.Add("emulated", driver, "7");
            data.Add("emulated", driver, "random:5");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Our_implementations_pass_every_vector(string impl, string driver, string split)
    {
        CatalogIds.TryParse(driver, out DriverVersion d);
        using var implementation = Implementations.Open(impl, WriteSplit.Parse(split));
        var failures = ConformanceRunner.Run(Vectors, implementation, d).Where(r => !r.Passed).Select(r => $"{r.Entry.Name}: {r.Detail}").ToList();
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    [Fact]
    public void The_validator_gives_the_models_outcome_when_the_first_error_is_not_the_drivers_answer()
    {
        // No trailer, and GT 1's MMIO payload is 12 bytes: leaving RESUMING times out on GT 0
        // (ETIMEDOUT) before it looks at GT 1 (EIO), though GT 1's XE-MMIO-SIZE comes first in the stream.
        var bytes = DriverSave(SmallBmg).With(7, _ => Mmio(1, 12)).Take(8).Bytes();
        var expected = Outcome.AtFinish(Errno.ETIMEDOUT, "XE-TRL-MISSING");
        var vector = new CorpusVector(new CorpusEntry { Name = "n_mmio_size_and_no_trailer", Target = "bmg,ggtt=16KiB,lmem=16KiB", Expect = expected, Why = "docs/driver.md#gt-control: leaving RESUMING times out on GT 0 before GT 1 is looked at" },
            () => new MemoryStream(bytes, writable: false));
        using var model = new ModelImpl(WriteSplit.Default);
        using var validator = new ValidatorImpl();
        model.Run(vector, SmallBmg).ShouldBe(expected);
        validator.Run(vector, SmallBmg).ShouldBe(expected);
    }

    [Fact]
    public void Strict_validation_reports_exactly_the_rules_each_vector_states()
    {
        var wrong = new List<string>();
        foreach (var v in Vectors)
        {
            var target = TargetSpec.Parse(v.Entry.Target).Target;
            using var s = v.Open();
            var report = StreamValidator.Validate(s, new ValidationOptions { Profile = Profile.Strict, Target = target });
            var got = report.Counts.Keys.Order(StringComparer.Ordinal).ToList();
            var want = v.Entry.Strict.Order(StringComparer.Ordinal).ToList();
            if (!got.SequenceEqual(want)) wrong.Add($"{v.Entry.Name}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
        }
        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }
}
