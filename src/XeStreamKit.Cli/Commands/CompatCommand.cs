using System.CommandLine;
using System.Text.Json;
using XeStreamKit.Cli.Cli;
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
            JsonOut.Document(ctx.StdOut, w =>
            {
                w.WriteStartArray("matrix");
                for (var i = 0; i < names.Length; i++)
                    for (var j = 0; j < specs.Length; j++)
                    {
                        w.WriteStartObject();
                        w.WriteString("image", names[i]);
                        w.WriteString("target", specs[j]);
                        WriteResult(w, results[i][j]);
                        w.WriteEndObject();
                    }
                w.WriteEndArray();
            });
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

    private static void WriteJson(Stream stdout, CompatibilityResult r)
    {
        JsonOut.Document(stdout, w =>
        {
            WriteResult(w, r);
        });
    }

    private static void WriteResult(Utf8JsonWriter w, CompatibilityResult r)
    {
        var f = r.Failure;
        w.WriteBoolean("compatible", r.Compatible);
        w.WriteString("outcome", r.Outcome);
        JsonOut.Errno(w, "errno", r.Errno);
        if (f is null)
        {
            w.WriteNull("packetIndex");
            w.WriteNull("streamOffset");
            w.WriteNull("reportedAt");
            w.WriteNull("rule");
        }
        else
        {
            if (f.PacketIndex >= 0) w.WriteNumber("packetIndex", f.PacketIndex);
            else w.WriteNull("packetIndex");
            w.WriteNumber("streamOffset", f.PacketOffset);
            w.WriteString("reportedAt", JsonOut.ReportedAt(f.At));
            w.WriteString("rule", f.Rule.Id);
        }
        w.WriteString("reason", r.Reason);
        if (f?.Cause is { } c)
        {
            w.WriteStartObject("cause");
            w.WriteString("rule", c.Rule.Id);
            JsonOut.Errno(w, "errno", c.InternalErrno);
            w.WriteNumber("packetIndex", c.PacketIndex);
            w.WriteNumber("streamOffset", c.PacketOffset);
            w.WriteString("message", c.Message);
            w.WriteEndObject();
        }
        else w.WriteNull("cause");
        if (f is { Hazard: not Catalog.DriverHazard.None })
        {
            w.WriteStartObject("hazard");
            w.WriteString("outcome", HazardText.Outcome(f.Hazard));
            w.WriteString("context", HazardText.Context(f.Hazard));
            w.WriteString("function", f.KernelFunction);
            w.WriteNumber("packetIndex", f.PacketIndex);
            w.WriteNumber("streamOffset", f.PacketOffset);
            w.WriteString("aftermath", HazardText.Aftermath(f.Hazard));
            w.WriteEndObject();
        }
        else w.WriteNull("hazard");
        w.WriteString("target", r.Target.Describe());
        w.WriteNumber("packets", r.Packets);
        w.WriteNumber("bytes", r.Bytes);
        w.WriteStartArray("warnings");
        foreach (var x in r.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("rule", x.Rule.Id);
            w.WriteNumber("packetIndex", x.PacketIndex);
            w.WriteNumber("streamOffset", x.StreamOffset);
            w.WriteString("message", x.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("warningsDropped", r.WarningsDropped);
    }
}
