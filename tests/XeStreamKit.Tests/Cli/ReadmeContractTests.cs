using System.Text.RegularExpressions;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

/// <summary>README's command line (usage headings, the option and exit-code tables, examples)
/// checked against the real tool, so the documentation cannot drift from it.</summary>
public sealed partial class ReadmeContractTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

    private static readonly string[] Verbs =
    [
        "inspect", "validate", "compat", "save", "restore", "corpus generate", "conformance run", "conformance fuzz",
        "conformance throughput", "demo", "qemu sections", "qemu extract", "qemu inject", "bench", "report", "rules", "completion",
    ];

    private static string Help(string verb)
    {
        var r = CliHarness.Run(null, [.. verb.Split(' '), "--help"]);
        r.ExitCode.ShouldBe(0, r.StdErr);
        return r.StdOut;
    }

    private static string RootHelp()
    {
        var r = CliHarness.Run(null, "--help");
        r.ExitCode.ShouldBe(0, r.StdErr);
        return r.StdOut;
    }

    private static bool Offers(string help, string option) => Regex.IsMatch(help, $@"(^|[ ,]){Regex.Escape(option)}([ ,<]|$)", RegexOptions.Multiline);

    [Fact]
    public void Every_option_in_a_usage_heading_exists_on_that_command()
    {
        var headings = UsageHeading().Matches(Readme).Select(m => m.Groups[1].Value).ToList();
        headings.Count.ShouldBeGreaterThanOrEqualTo(Verbs.Length);
        foreach (var heading in headings)
        {
            // 'xsk --version [--verbose]': options of the root command.
            var verb = heading.StartsWith("--", StringComparison.Ordinal) ? ""
                : Verbs.Where(v => heading.StartsWith(v + " ", StringComparison.Ordinal) || heading == v).MaxBy(v => v.Length);
            verb.ShouldNotBeNull($"README heading 'xsk {heading}' names no command");
            var help = verb.Length == 0 ? RootHelp() : Help(verb);
            foreach (Match option in OptionName().Matches(heading))
                Offers(help, option.Value).ShouldBeTrue($"README: 'xsk {heading}' shows {option.Value}, which xsk {verb} does not have");
        }
    }

    [Fact]
    public void The_option_table_is_true_for_every_command_it_names()
    {
        var table = Readme[Readme.IndexOf("### Options", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("| option |", StringComparison.Ordinal), StringComparison.Ordinal)];
        var rows = table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBeGreaterThan(8);
        foreach (var row in rows)
        {
            var cells = row.Split(" | ");
            var options = OptionName().Matches(cells[0]).Select(m => m.Value).ToList();
            var commands = cells[2].Contains("every command", StringComparison.Ordinal)
                ? Verbs
                : Regex.Matches(cells[2], "`([a-z ]+)`").Select(m => m.Groups[1].Value).ToArray();
            commands.ShouldNotBeEmpty(row);
            foreach (var verb in commands)
            {
                Verbs.ShouldContain(verb, $"README option table names '{verb}'");
                var help = Help(verb);
                foreach (var option in options)
                    Offers(help, option).ShouldBeTrue($"README option table: xsk {verb} has no {option}");
            }
        }
    }

    [Fact]
    public void The_exit_code_table_lists_every_code_the_tool_uses()
    {
        foreach (var code in new[] { XeStreamKit.Cli.Plumbing.ExitCode.Ok, XeStreamKit.Cli.Plumbing.ExitCode.Usage, XeStreamKit.Cli.Plumbing.ExitCode.InvalidStream, XeStreamKit.Cli.Plumbing.ExitCode.Incompatible, XeStreamKit.Cli.Plumbing.ExitCode.IoError, XeStreamKit.Cli.Plumbing.ExitCode.Internal })
            Readme.ShouldContain($"\n| {code} | ");
        Readme.ShouldContain("| 129, 130, 143 |");
    }

    [Fact]
    public void The_compat_and_restore_examples_are_what_the_tool_prints()
    {
        using var dir = new TempDir();
        var image = Path.Combine(dir.Path, "vf1.bin");
        CliHarness.Run(null, "save", "--device", "emulated:bmg,lmem=64KiB,ggtt=16KiB", "-o", image).ExitCode.ShouldBe(0);
        var compat = CliHarness.Run(null, "compat", image, "--target", "bmg,devid=0xE211");
        Readme.ShouldContain("$ xsk compat vf1.bin --target bmg,devid=0xE211\n" + compat.StdOut);
        var restore = CliHarness.Run(null, "restore", image, "--device", "emulated:bmg,devid=0xE211");
        restore.ExitCode.ShouldBe(4);
        Readme.ShouldContain("$ xsk restore vf1.bin --device emulated:bmg,devid=0xE211\n" + restore.StdErr);
    }

    [Fact]
    public void The_throughput_and_bench_examples_have_the_real_lines_and_columns()
    {
        var throughput = CliHarness.Run(null, "conformance", "throughput", "--device", "emulated:bmg,lmem=64KiB,chunk=64KiB", "--runs", "1", "--baseline", "64KiB");
        throughput.ExitCode.ShouldBe(0, throughput.StdErr);
        var lines = throughput.StdOut.Split('\n');
        Readme.ShouldContain("\n" + lines.Single(l => l.StartsWith("floor: ", StringComparison.Ordinal)) + "\n");
        Readme.ShouldContain("\n" + lines.Single(l => l.StartsWith("chunk ", StringComparison.Ordinal)) + "\n");
        var last = lines.Single(l => l.Contains("floor checks met", StringComparison.Ordinal));
        Readme.ShouldContain(last[last.IndexOf(" run(s) each", StringComparison.Ordinal)..] + "\n");
        // The bench table's header row, exactly.
        var bench = CliHarness.Run(null, "bench", "--quick", "--lmem", "256KiB");
        bench.ExitCode.ShouldBe(0, bench.StdErr);
        Readme.ShouldContain("\n" + bench.StdOut.Split('\n').Single(l => l.StartsWith("measurement ", StringComparison.Ordinal)) + "\n");
    }

    [GeneratedRegex(@"^### `xsk ([^`]+)`", RegexOptions.Multiline)]
    private static partial Regex UsageHeading();

    [GeneratedRegex(@"(?<![\w-])--?[a-z][a-z0-9-]*")]
    private static partial Regex OptionName();
}
