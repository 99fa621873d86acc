using System.Text.Json;
using System.Text.RegularExpressions;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

public class RulesCliTests
{
    /// <summary>The ids spec/rules.yaml declares, read from the file as text (not through the generator).</summary>
    private static List<string> SpecIds() =>
        Regex.Matches(File.ReadAllText(RepoPaths.Rules), @"^  - id: (XE-[A-Z0-9-]+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void The_built_in_catalog_is_spec_rules_yaml_in_order()
    {
        var r = CliHarness.Run(null, "rules", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var ids = doc.RootElement.GetProperty("rules").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        ids.ShouldBe(SpecIds());
        ids.Count.ShouldBeGreaterThan(30);
    }

    [Fact]
    public void The_table_has_a_row_per_rule_and_a_count()
    {
        var r = CliHarness.Run(null, "rules");
        r.ExitCode.ShouldBe(0, r.StdErr);
        var lines = r.StdOut.TrimEnd().Split('\n');
        lines[0].ShouldStartWith("rule ");
        lines[^1].ShouldStartWith($"{SpecIds().Count} rules (");
        lines.ShouldContain(l => l.StartsWith("XE-DESC-DEVID ", StringComparison.Ordinal) && l.Contains(" ENODEV ") && l.Contains(" write "));
    }

    [Fact]
    public void One_rule_shows_errno_when_and_source_and_ignores_case()
    {
        var r = CliHarness.Run(null, "rules", "xe-desc-devid");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldStartWith("XE-DESC-DEVID: ");
        r.StdOut.ShouldContain("driver: rejects it with ENODEV, reported by the write()");
        r.StdOut.ShouldContain("source: xe_sriov_packet.c@83675851547e:xe_sriov_packet_process_descriptor");

        var json = CliHarness.Run(null, "rules", "XE-HDR-VERSION", "--json");
        using var doc = JsonDocument.Parse(json.StdOut);
        var rule = doc.RootElement.GetProperty("rules").EnumerateArray().Single();
        rule.GetProperty("errno").GetProperty("newest").GetString().ShouldBe("EINVAL");
        rule.GetProperty("severity").GetProperty("kernel").GetString().ShouldBe("error");
        rule.GetProperty("reportedAt").GetString().ShouldBe("write");
    }

    [Fact]
    public void A_strict_only_rule_has_no_kernel_severity_and_no_errno()
    {
        var id = File.ReadAllText(RepoPaths.Rules).Contains("XE-S-FLAGS") ? "XE-S-FLAGS" : SpecIds().First(i => i.StartsWith("XE-S-", StringComparison.Ordinal));
        var r = CliHarness.Run(null, "rules", id, "--json");
        using var doc = JsonDocument.Parse(r.StdOut);
        var rule = doc.RootElement.GetProperty("rules")[0];
        rule.GetProperty("severity").GetProperty("kernel").ValueKind.ShouldBe(JsonValueKind.Null);
        rule.GetProperty("errno").GetProperty("newest").ValueKind.ShouldBe(JsonValueKind.Null);
        rule.GetProperty("reportedAt").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void An_unknown_rule_is_a_usage_error_on_one_line()
    {
        var r = CliHarness.Run(null, "rules", "XE-NOPE");
        r.ExitCode.ShouldBe(1);
        r.StdOut.ShouldBeEmpty();
        r.StdErr.Trim().ShouldBe($"xsk: no rule 'XE-NOPE' in the catalog ({SpecIds().Count} rules: xsk rules lists them)");
    }
}
