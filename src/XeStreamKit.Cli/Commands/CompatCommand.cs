using System.CommandLine;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Compatibility;
using XeStreamKit.Driver;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk compat &lt;stream|-&gt; --target &lt;spec&gt;</c>: will this image restore there, and if
/// not, with which errno from which packet. <c>--matrix</c> checks images x targets.
/// </summary>
public static class CompatCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var inputs = new Argument<string[]>("streams") { Description = "Migration stream (file or - for stdin); several with --matrix", Arity = ArgumentArity.OneOrMore };
        var targets = new Option<string[]>("--target")
        {
            Description = "Restore target: <platform>[,devid=<id>][,revid=<n>][,lmem=<size>][,ggtt=<size>][,guc=<x.y.z>][,driver=6.19|newest], @host.json, or host:<PF BDF>",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var vf = CommonOptions.Vf();
        var matrix = new Option<bool>("--matrix") { Description = "Check every stream against every --target and print a table" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var qemu = StreamInputs.CreateQemuOption();
        var device = StreamInputs.CreateDeviceOption();
        var command = new Command("compat", "Predict whether a stream restores on a target, and with which error if not")
        {
            inputs, targets, vf, matrix, json, qemu, device,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var names = parse.GetValue(inputs)!;
            var specs = parse.GetValue(targets)!;
            var profiles = specs.Select(s => TargetSpec.Parse(s, "--target", source: HostTargetSource.Default, vf: parse.GetValue(vf), vfOption: "--vf").Target).ToList();
            var open = (string name) => StreamInputs.Open(name, ctx, parse.GetValue(qemu), parse.GetValue(device));
            if (parse.GetValue(matrix)) return Matrix(ctx, names, specs, profiles, parse.GetValue(json), open);
            if (names.Length != 1 || profiles.Count != 1)
                throw new UsageException("compat takes one stream and one --target (use --matrix for more)");
            var result = Check(ctx, names[0], profiles[0], open);
            if (parse.GetValue(json)) WriteJson(ctx.StdOut, result);
            else
            {
                ctx.Out.WriteLine(result.Compatible ? $"compatible: {result.Reason}" : $"incompatible: {result.Reason}");
                foreach (var w in result.Warnings) ctx.Out.WriteLine($"warning {w.Rule.Id}: packet #{w.PacketIndex} (offset 0x{w.StreamOffset:X}): {w.Message}");
                if (result.WarningsDropped > 0) ctx.Out.WriteLine($"... {result.WarningsDropped} more warnings not shown (the first {CompatibilityCheck.MaxWarnings} are)");
            }
            return result.Compatible ? ExitCode.Ok : ExitCode.Incompatible;
        }));
        return command;
    }

    private static CompatibilityResult Check(CliContext ctx, string name, TargetProfile target, Func<string, MigrationInput> open)
    {
        using var source = open(name);
        using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "compat", source.KnownLength);
        return CompatibilityCheck.Check(source.Stream, target, meter);
    }

    private static int Matrix(CliContext ctx, string[] names, string[] specs, List<TargetProfile> targets, bool json, Func<string, MigrationInput> open)
    {
        if (names.Contains("-") && (names.Length > 1 || targets.Count > 1)) throw new UsageException("stdin (-) can be read only once: use files for a matrix");
        var results = names.Select(n => targets.Select(t => Check(ctx, n, t, open)).ToArray()).ToArray();
        if (json)
        {
            // A cell is {image, targetSpec (as given to --target)} and the verdict's members,
            // whose "target" is the profile's description. (Before issue 10 the spec was also
            // named "target": two members of one name, which a JSON reader resolves to either.)
            using var w = JsonOut.Writer(ctx.StdOut);
            w.WriteStartObject();
            w.WriteStartArray("matrix");
            for (var i = 0; i < names.Length; i++)
                for (var j = 0; j < specs.Length; j++)
                {
                    w.WriteStartObject();
                    w.WriteString("image", names[i]);
                    w.WriteString("targetSpec", specs[j]);
                    JsonOut.Members(w, CompatJson.Of(results[i][j]), CliJsonContext.Default.CompatJson);
                    w.WriteEndObject();
                }
            w.WriteEndArray();
            JsonOut.End(w, ctx.StdOut);
        }
        else
        {
            // File names read better than paths; paths only when two images share a name.
            var shown = names.Select(Path.GetFileName).Distinct().Count() == names.Length ? names.Select(n => Path.GetFileName(n)!).ToArray() : names;
            var width = Math.Max(12, shown.Max(n => n.Length)) + 2;
            var cells = results.Select(row => row.Select(Cell).ToArray()).ToArray();
            var colWidths = specs.Select((s, j) => Math.Max(s.Length, cells.Max(r => r[j].Length)) + 2).ToArray();
            ctx.Out.WriteLine("image".PadRight(width) + string.Concat(specs.Select((s, j) => s.PadRight(colWidths[j]))).TrimEnd());
            for (var i = 0; i < names.Length; i++)
                ctx.Out.WriteLine(shown[i].PadRight(width) + string.Concat(cells[i].Select((c, j) => c.PadRight(colWidths[j]))).TrimEnd());
        }
        return results.All(r => r.All(x => x.Compatible)) ? ExitCode.Ok : ExitCode.Incompatible;
    }

    private static string Cell(CompatibilityResult r) => r.Failure switch
    {
        null => "ok",
        { Hazard: not Catalog.DriverHazard.None } f => $"{HazardText.Outcome(f.Hazard).ToUpperInvariant()} #{f.PacketIndex}",
        { At: Catalog.ReportedAt.Write } f => $"{ErrnoText.Name(f.Errno)} write #{f.PacketIndex}",
        { At: Catalog.ReportedAt.Setup } f => $"{ErrnoText.Name(f.Errno)} setup",
        { } f => $"{ErrnoText.Name(f.Errno)} finish",
    };

    private static void WriteJson(Stream stdout, CompatibilityResult r) =>
        JsonOut.Document(stdout, CompatJson.Of(r), CliJsonContext.Default.CompatJson);
}
