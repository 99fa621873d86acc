using System.CommandLine;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Qemu;
using XeStreamKit.Text;
using static XeStreamKit.Cli.Commands.QemuCommand;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk qemu inject &lt;file&gt; --device &lt;idstr&gt; --stream &lt;stream&gt; -o &lt;file&gt;</c>: a device's data in a QEMU migration file replaced with an Xe stream.</summary>
public static class QemuInjectCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("file") { Description = "Existing QEMU migration file (a regular file: it is read twice)" };
        var device = StreamInputs.CreateDeviceOption(required: true);
        var xe = new Option<string>("--stream") { Description = "The Xe stream to put in: a file, or - for stdin", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The new QEMU file (written atomically)", Required = true };
        var blockSize = new Option<string>("--block-size") { Description = "DEV_DATA_STATE block size (QEMU's is 1MiB)", DefaultValueFactory = _ => "1MiB" };
        var json = new Option<bool>("--json") { Description = "Print what was done as JSON" };
        var command = new Command("inject", "Replace a VFIO device's data in a QEMU migration file with an Xe stream") { input, device, xe, output, blockSize, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var path = parse.GetValue(input)!;
            if (path == "-") throw new UsageException("inject reads the QEMU file twice: give a file, not -");
            var size = SpecText.ParseSize(parse.GetValue(blockSize)!, "--block-size");
            if (size is 0 or > VfioDataBlockWriter.MaxBlockSize)
                throw new UsageException($"--block-size: {size} is out of range (1 byte to 64MiB)");
            using var source = Inputs.Open(path, ctx.StdIn);
            using var stream = Inputs.Open(parse.GetValue(xe)!, ctx.StdIn);
            return RunInject(ctx, source, parse.GetValue(device)!, stream, parse.GetValue(output)!, (int)size, parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>Writes a copy of <paramref name="source"/> with <paramref name="device"/>'s data replaced.</summary>
    public static int RunInject(CliContext ctx, Stream source, string device, Stream xe, string target, int blockSize, bool json)
    {
        QemuInjectResult result;
        using (var file = OutputFile.Open(target, "-o"))
        {
            try
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "inject", Inputs.KnownLength(source));
                result = QemuDeviceStateInjector.Inject(source, device, xe, file.Stream, blockSize, meter);
            }
            catch (MigrationStreamFormatException e) when (IsXeLevel(e))
            {
                throw InXeStream(e, "in --stream");
            }
            file.Commit();
        }
        if (json)
        {
            var done = new QemuInjectJson(result.Device.IdStr, result.Device.SectionId, result.OldDataBytes, result.Chain.Bytes, result.Chain.Packets,
                result.Blocks, blockSize, result.BytesWritten, target);
            JsonOut.Document(ctx.StdOut, done, CliJsonContext.Default.QemuInjectJson);
        }
        else
        {
            ctx.Out.WriteLine($"Replaced the data of {result.Device.IdStr} ({Count(result.OldDataBytes, "byte")}) with {Count(result.Chain.Bytes, "byte")} ({Count(result.Chain.Packets, "packet")}) in {Count(result.Blocks, "block")} of up to {Units.Bytes(blockSize)}; wrote {target} ({Count(result.BytesWritten, "byte")})");
        }
        return ExitCode.Ok;
    }
}
