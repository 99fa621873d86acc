using System.CommandLine;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Harness.Corpus;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk conformance fuzz --seconds N --seed S</c>: mutate the corpus, look for crashes,
/// hangs and unbounded allocation; minimized reproducers are written out.</summary>
public static class FuzzCommand
{
    /// <summary>The longest run <c>--seconds</c> asks for: a week.</summary>
    public const double MaxSeconds = 7 * 24 * 3600;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var seconds = new Option<double>("--seconds") { Description = "How long to fuzz", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Random seed (the same seed gives the same inputs)", DefaultValueFactory = _ => 1 };
        var iterations = new Option<long?>("--iterations") { Description = "Stop after this many inputs" };
        var output = new Option<string>("--output", "-o") { Description = "Directory for minimized reproducers", DefaultValueFactory = _ => "xsk-fuzz-findings" };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus whose vectors seed the mutations (default: the generated corpus)" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("fuzz", "Fuzz the reader, validator, driver model and emulated restore with mutated corpus vectors")
        {
            seconds, seed, iterations, output, corpus, json,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            if (string.IsNullOrEmpty(parse.GetValue(output))) throw new UsageException("--output: an empty path (name a directory for the reproducers)");
            if (parse.GetValue(seconds) is not (> 0 and <= MaxSeconds)) throw new UsageException($"--seconds: a number of seconds from 0 to {MaxSeconds} (a week)");
            var fuzzer = Fuzzer.FromCorpus(parse.GetValue(seed), CorpusSource.Load(parse.GetValue(corpus)));
            FuzzReport report;
            using (var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "fuzz (inputs)", null))
                report = fuzzer.Run(TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(iterations) ?? long.MaxValue, meter);
            var dir = parse.GetValue(output)!;
            if (report.Findings.Count > 0) Directory.CreateDirectory(dir);
            foreach (var f in report.Findings)
            {
                var path = Path.Combine(dir, $"fuzz_{f.Id}.bin");
                File.WriteAllBytes(path, f.Minimized);
                if (!parse.GetValue(json))
                {
                    ctx.Out.WriteLine($"FINDING in {f.Stage}: {f.Problem}");
                    ctx.Out.WriteLine($"  minimized to {f.Minimized.Length} bytes (from {f.Input.Length}), written to {path}:");
                    ctx.Out.WriteLine("  " + Convert.ToHexString(f.Minimized.AsSpan(0, Math.Min(256, f.Minimized.Length))) + (f.Minimized.Length > 256 ? "..." : ""));
                }
            }
            if (parse.GetValue(json))
            {
                var findings = report.Findings.Select(f => new FuzzFindingJson(f.Stage, f.Problem, Path.Combine(dir, $"fuzz_{f.Id}.bin"), Convert.ToHexString(f.Minimized))).ToList();
                JsonOut.Document(ctx.StdOut, new FuzzJson(report.Seed, report.Iterations, Math.Round(report.Elapsed.TotalSeconds, 2), findings), CliJsonContext.Default.FuzzJson);
            }
            else
                ctx.Out.WriteLine($"fuzz: {report.Iterations} inputs in {report.Elapsed.TotalSeconds:F1} s (seed {report.Seed}): {report.Findings.Count} findings");
            return report.Findings.Count == 0 ? ExitCode.Ok : ExitCode.InvalidStream;
        }));
        return command;
    }
}
