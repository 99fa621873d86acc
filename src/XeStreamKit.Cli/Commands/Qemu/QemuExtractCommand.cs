using System.CommandLine;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Qemu;
using XeStreamKit.Text;
using static XeStreamKit.Cli.Commands.QemuCommand;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk qemu extract &lt;file|-&gt; -o &lt;stream|-&gt;</c>: a VFIO device's Xe stream out of a QEMU migration file.</summary>
public static class QemuExtractCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("file") { Description = "QEMU migration file, or - for stdin" };
        var device = StreamInputs.CreateDeviceOption();
        var output = new Option<string>("--output", "-o") { Description = "Where to write the Xe stream: a file (written atomically), or - for stdout", Required = true };
        var json = new Option<bool>("--json") { Description = "Print what was extracted as JSON (not with -o -)" };
        var command = new Command("extract", "Write a VFIO device's Xe stream out of a QEMU migration file, checked as an Xe packet chain") { input, device, output, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var target = parse.GetValue(output)!;
            var asJson = parse.GetValue(json);
            if (target == "-" && asJson) throw new UsageException("--json prints to stdout, which -o - already uses for the stream");
            using var stream = Inputs.Open(parse.GetValue(input)!, ctx.StdIn);
            return RunExtract(ctx, stream, parse.GetValue(device), target, asJson);
        }));
        return command;
    }

    /// <summary>Extracts a device's Xe stream to <paramref name="target"/>; the file is written only
    /// when the stream is a complete Xe packet chain.</summary>
    public static int RunExtract(CliContext ctx, Stream stream, string? device, string target, bool json)
    {
        using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "extract", Inputs.KnownLength(stream));
        using var reader = new QemuMigrationReader(stream, new QemuMigrationReaderOptions { LeaveOpen = true, Progress = meter });
        var data = StreamInputs.FindDeviceData(reader, device, ctx, "extracting");
        XeChainSummary chain;
        using (var file = OutputFile.Open(target, "-o", ctx))
        {
            chain = Verified(data, file.Stream);
            file.Commit();
        }
        var d = data.Device;
        if (json)
        {
            JsonOut.Document(ctx.StdOut, new QemuExtractJson(d.IdStr, d.SectionId, chain.Bytes, chain.Packets, d.DataBlocks, d.LargestBlock, d.FirstDataOffset, target),
                CliJsonContext.Default.QemuExtractJson);
        }
        else if (target != "-")
        {
            ctx.Out.WriteLine($"Extracted the Xe stream of {d.IdStr}: {Count(chain.Bytes, "byte")} ({Units.Bytes(chain.Bytes)}), {Count(chain.Packets, "packet")}, from {Count(d.DataBlocks, "DEV_DATA_STATE block")} at file offset {Units.Hex((ulong)d.FirstDataOffset)}; wrote {target}");
        }
        return ExitCode.Ok;
    }

    private static XeChainSummary Verified(VfioDeviceDataStream data, Stream destination)
    {
        try
        {
            return XeStreamChain.CopyVerified(data, destination);
        }
        catch (MigrationStreamFormatException e) when (IsXeLevel(e))
        {
            throw InXeStream(e, $"in the device data of {data.Device.IdStr} from file offset {Units.Hex((ulong)Math.Max(0, data.Device.FirstDataOffset))}");
        }
    }
}
