using System.CommandLine;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk corpus generate &lt;dir&gt; [--target &lt;spec&gt;]</c>: write the conformance corpus.</summary>
public static class CorpusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("directory") { Description = "Where to write the vectors and manifest.json" };
        var target = new Option<string?>("--target") { Description = "Make the vectors for this VF (e.g. host:<PF BDF> with --vf, to test that device); default: a small BMG VF" };
        var vf = CommonOptions.Vf();
        var json = new Option<bool>("--json") { Description = "Print the manifest's summary as JSON" };
        var hazards = new Option<bool>("--hazards") { Description = "Write only the vectors that crash or hang the driver, each with a README (bytes, code path, smallest write sequence) for a bug report" };
        var generate = new Command("generate", "Write the conformance corpus: y_ (accepted), n_ (rejected: errno, kernel oops or hang; when, packet) and i_ vectors with manifest.json")
        {
            dir, target, vf, json, hazards,
        };
        generate.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var home = parse.GetValue(target) is { } t ? TargetSpec.Parse(t, "--target", source: HostTargetSource.Default, vf: parse.GetValue(vf), vfOption: "--vf").Target : null;
            var path = parse.GetValue(dir)!;
            if (path.Length == 0) throw new UsageException("an empty path (name the directory to write the corpus to)");
            if (parse.GetValue(hazards)) return WriteHazards(ctx, path, home, parse.GetValue(json));
            var manifest = CorpusGenerator.Write(path, home);
            var byKind = manifest.Vectors.GroupBy(v => v.Name[..1]).ToDictionary(g => g.Key, g => g.Count());
            var stored = manifest.Vectors.Where(v => v.Stored).Sum(v => v.Size);
            if (parse.GetValue(json))
            {
                var summary = new CorpusJson(path, manifest.Vectors.Count, byKind.GetValueOrDefault("y"), byKind.GetValueOrDefault("n"), byKind.GetValueOrDefault("i"), stored);
                JsonOut.Document(ctx.StdOut, summary, CliJsonContext.Default.CorpusJson);
            }
            else
                ctx.Out.WriteLine($"wrote {manifest.Vectors.Count} vectors ({byKind.GetValueOrDefault("y")} y_, {byKind.GetValueOrDefault("n")} n_, {byKind.GetValueOrDefault("i")} i_; {Units.Bytes(stored)} stored) and {CorpusManifest.FileName} to {path}");
            return ExitCode.Ok;
        }));
        return new Command("corpus", "The conformance corpus") { generate };
    }

    private static int WriteHazards(CliContext ctx, string path, TargetProfile? home, bool json)
    {
        var written = HazardReport.Write(path, home);
        if (json)
        {
            var hazardsWritten = written.Select(e => new CorpusHazardJson(e.Name, e.Expect.Rule, Driver.HazardText.Outcome(e.Expect.Hazard), Driver.HazardText.Context(e.Expect.Hazard),
                e.Expect.Function, Path.Combine(path, e.Name + ".md"))).ToList();
            JsonOut.Document(ctx.StdOut, new CorpusHazardsJson(path, hazardsWritten), CliJsonContext.Default.CorpusHazardsJson);
        }
        else
            ctx.Out.WriteLine($"wrote {written.Count} driver-hazard vectors ({string.Join(", ", written.Select(e => e.Name))}), each with a README, and README.md to {path}");
        return ExitCode.Ok;
    }
}
