using System.CommandLine;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Devices;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk save --device &lt;spec&gt; -o &lt;file|-&gt;</c>: pause the VF, read its migration data to
/// the end, finish the save. A file is written under a temporary name and renamed on success.</summary>
public static class SaveCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device") { Description = DeviceSpec.Syntax, Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where the stream goes: a file, or - for stdout", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Resume the VF afterwards (by default it stays paused, as a migration source does)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var command = new Command("save", "Save a VF's migration state to a stream") { device, output, resume, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var path = parse.GetValue(output)!;
            using var dev = DeviceSpec.Open(parse.GetValue(device)!);
            using var file = OutputFile.Open(path, "-o", ctx);
            var sink = file.Stream;
            dev.EnsurePaused();
            var estimate = dev.EstimateSize();
            var (report, elapsed) = TransferSummary.Time(() =>
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "save", estimate);
                return TransferSummary.Save(dev, sink, meter);
            });
            var digest = TransferSummary.DigestOf(dev);
            if (parse.GetValue(resume)) dev.Resume();
            file.Commit();
            var summary = new TransferSummary("save", dev.Description, path, report, estimate, digest, elapsed) { Total = wall.Elapsed };
            var toStdout = !file.IsStdout;
            if (parse.GetValue(json) && toStdout) summary.WriteJson(ctx.StdOut);
            else if (parse.GetValue(json))
            {
                // stdout carries the stream: the JSON goes to stderr.
                var text = new MemoryStream();
                summary.WriteJson(text);
                ctx.Error.Write(System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length));
            }
            else summary.WriteText(toStdout ? ctx.Out : ctx.Notes);
            return ExitCode.Ok;
        }));
        return command;
    }
}
