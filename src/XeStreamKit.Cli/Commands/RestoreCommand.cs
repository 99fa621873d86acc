using System.CommandLine;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Devices;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk restore &lt;file|-&gt; --device &lt;spec&gt;</c>: pause the VF, write the stream into it
/// (as a VMM writes the data fd), leave RESUMING. A failure exits 4 naming the errno and packet.</summary>
public static class RestoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("stream") { Description = "Migration stream: a file, a device or fifo, or - for stdin" };
        var device = new Option<string>("--device") { Description = DeviceSpec.Syntax, Required = true };
        var resume = new Option<bool>("--resume") { Description = "Resume the VF after a successful restore" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var qemu = StreamInputs.CreateQemuOption();
        var qemuDevice = StreamInputs.CreateDeviceOption();
        var command = new Command("restore", "Restore a VF's migration state from a stream") { input, device, resume, json, qemu, qemuDevice };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var path = parse.GetValue(input)!;
            using var source = StreamInputs.Open(path, ctx, parse.GetValue(qemu), parse.GetValue(qemuDevice));
            using var dev = DeviceSpec.Open(parse.GetValue(device)!);
            dev.EnsurePaused();
            var (report, elapsed) = TransferSummary.Time(() =>
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "restore", source.KnownLength);
                return TransferSummary.Restore(dev, source.Stream, meter, Profile.Strict);
            });
            var digest = TransferSummary.DigestOf(dev);
            if (parse.GetValue(resume)) dev.Resume();
            var summary = new TransferSummary("restore", dev.Description, path == "-" ? "stdin" : path, report, null, digest, elapsed) { Total = wall.Elapsed };
            if (parse.GetValue(json)) summary.WriteJson(ctx.StdOut);
            else summary.WriteText(ctx.Out);
            return ExitCode.Ok;
        }));
        return command;
    }
}
