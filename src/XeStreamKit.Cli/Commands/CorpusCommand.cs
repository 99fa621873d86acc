using System.CommandLine;
using XeStreamKit.Cli.Cli;
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
                JsonOut.Document(ctx.StdOut, w =>
                {
                    w.WriteString("directory", path);
                    w.WriteNumber("vectors", manifest.Vectors.Count);
                    foreach (var k in new[] { "y", "n", "i" }) w.WriteNumber(k, byKind.GetValueOrDefault(k));
                    w.WriteNumber("storedBytes", stored);
                });
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
            JsonOut.Document(ctx.StdOut, w =>
            {
                w.WriteString("directory", path);
                w.WriteStartArray("hazards");
                foreach (var e in written)
                {
                    w.WriteStartObject();
                    w.WriteString("name", e.Name);
                    w.WriteString("rule", e.Expect.Rule);
                    w.WriteString("outcome", Driver.HazardText.Outcome(e.Expect.Hazard));
                    w.WriteString("context", Driver.HazardText.Context(e.Expect.Hazard));
                    w.WriteString("function", e.Expect.Function);
                    w.WriteString("readme", Path.Combine(path, e.Name + ".md"));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        }
        else
            ctx.Out.WriteLine($"wrote {written.Count} driver-hazard vectors ({string.Join(", ", written.Select(e => e.Name))}), each with a README, and README.md to {path}");
        return ExitCode.Ok;
    }
}
