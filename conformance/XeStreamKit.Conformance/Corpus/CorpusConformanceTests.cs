using XeStreamKit.Compatibility;
using XeStreamKit.Corpus;
using XeStreamKit.Devices.Conformance;
using XeStreamKit.Validation;

namespace XeStreamKit.Conformance.Corpus;

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
