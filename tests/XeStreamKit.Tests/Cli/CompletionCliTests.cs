using System.Diagnostics;
using System.Text.Json;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

public class CompletionCliTests
{
    private static string Script(string shell)
    {
        var r = CliHarness.Run(null, "completion", shell);
        r.ExitCode.ShouldBe(0, r.StdErr);
        return r.StdOut;
    }

    /// <summary>Sources the bash script in a real bash and completes <paramref name="words"/> (the last is the word being typed).</summary>
    private static string[] CompleteInBash(params string[] words)
    {
        using var dir = new TempDir("xsk-completion-");
        var script = Path.Combine(dir.Path, "xsk.bash");
        File.WriteAllText(script, Script("bash"));
        var quoted = string.Join(" ", words.Select(w => "'" + w + "'"));
        var psi = new ProcessStartInfo("bash", ["-c", $"source '{script}'; cd '{dir.Path}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _xsk; printf '%s\\n' \"${{COMPREPLY[@]}}\""])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0, error);
        error.ShouldBeEmpty();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Bash_completes_commands_subcommands_options_and_values_from_the_tree()
    {
        CompleteInBash("xsk", "").ShouldBe(["inspect", "validate", "report", "compat", "save", "restore", "corpus", "conformance", "demo", "qemu", "bench", "rules", "completion"], ignoreOrder: true);
        CompleteInBash("xsk", "conformance", "").ShouldBe(["run", "fuzz", "throughput"], ignoreOrder: true);
        CompleteInBash("xsk", "validate", "x.bin", "--d").ShouldBe(["--digest", "--driver"], ignoreOrder: true);
        CompleteInBash("xsk", "completion", "").ShouldBe(["bash", "zsh", "fish"], ignoreOrder: true);
        CompleteInBash("xsk", "rules", "XE-DESC-D").ShouldContain("XE-DESC-DEVID");
        // An option that takes a value completes files, not options; a flag does not swallow the next word.
        CompleteInBash("xsk", "--json", "qemu", "ex").ShouldBe(["extract"]);
    }

    [Fact]
    public void Every_command_and_option_of_the_tree_is_in_each_script()
    {
        var bash = Script("bash");
        var zsh = Script("zsh");
        var fish = Script("fish");
        foreach (var path in new[] { "/conformance/throughput", "/qemu/extract", "/corpus/generate", "/rules", "/completion" })
        {
            bash.ShouldContain(path);
            zsh.ShouldContain(path);
            fish.ShouldContain("xsk" + path);
        }
        foreach (var option in new[] { "--allow-restore", "--qemu-device", "--junit", "--digest" })
        {
            bash.ShouldContain(option);
            zsh.ShouldContain(option);
            fish.ShouldContain("-l " + option[2..]);
        }
        zsh.ShouldStartWith("#compdef xsk\n");
        var shells = fish.Split('\n').Single(l => l.StartsWith("complete -c xsk -n '__xsk_at xsk/completion' -a '", StringComparison.Ordinal));
        shells.Split('\'')[3].Split(' ').ShouldBe(["bash", "zsh", "fish"], ignoreOrder: true);
    }

    [Fact]
    public void The_bash_script_is_valid_bash_and_json_wraps_it()
    {
        using var dir = new TempDir("xsk-completion-n-");
        var script = Path.Combine(dir.Path, "xsk.bash");
        File.WriteAllText(script, Script("bash"));
        using var p = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0, error);

        var json = CliHarness.Run(null, "completion", "fish", "--json");
        using var doc = JsonDocument.Parse(json.StdOut);
        doc.RootElement.GetProperty("shell").GetString().ShouldBe("fish");
        doc.RootElement.GetProperty("script").GetString().ShouldBe(Script("fish"));
    }

    [Fact]
    public void An_unknown_shell_is_refused()
    {
        var r = CliHarness.Run(null, "completion", "tcsh");
        r.ExitCode.ShouldBe(1);
        r.StdErr.ShouldContain("tcsh");
    }
}
