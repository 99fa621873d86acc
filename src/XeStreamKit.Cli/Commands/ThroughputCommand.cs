using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Devices;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Text;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk conformance throughput --device &lt;spec&gt;</c>: VRAM chunk throughput of save and restore per
/// chunk size, against this machine's memcpy measured in the same run, and the driver's floor
/// (each 512 MiB chunk within the 5 s fence timeout). Exit 2 when the floor is missed.
/// </summary>
public static class ThroughputCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var defaults = new ThroughputOptions { Device = "" };
        var device = new Option<string>("--device") { Description = DeviceSpec.Syntax, Required = true };
        var sizes = new Option<string?>("--chunk") { Description = "VRAM chunk sizes, comma-separated (emulated devices; default " + string.Join(',', ThroughputCheck.DefaultSizes.Select(SpecText.FormatSize)) + "); a real device uses the driver's 512 MiB" };
        var runs = new Option<int>("--runs") { Description = "Saves (and restores) per chunk size; the median run is reported, the slowest chunk of any run is checked", DefaultValueFactory = _ => defaults.Runs };
        var allowRestore = new Option<bool>("--allow-restore") { Description = "Real devices: after each save, restore the image into the same VF (this replaces its state with the one just saved)" };
        var tempDir = new Option<string?>("--temp-dir") { Description = "Real devices with --allow-restore: where the image is kept between save and restore (deleted when done); default: the temporary directory" };
        var baseline = new Option<string>("--baseline") { Description = "Bytes the memcpy baseline copies (twice this is allocated)", DefaultValueFactory = _ => SpecText.FormatSize((ulong)defaults.BaselineBytes) };
        var resume = new Option<bool>("--resume") { Description = "Resume the VF at the end (it is paused to save)" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("throughput", "Measure VRAM chunk throughput of save and restore against memcpy, and check the driver's 5 s fence floor")
        {
            device, sizes, runs, allowRestore, tempDir, baseline, resume, json,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var baselineBytes = SpecText.ParseSize(parse.GetValue(baseline)!, "--baseline");
            if (baselineBytes is 0 or > int.MaxValue) throw new UsageException("--baseline: between 1 byte and 2 GiB");
            var temp = parse.GetValue(tempDir) ?? defaults.TempDirectory;
            if (!Directory.Exists(temp)) throw new UsageException($"--temp-dir: {temp} is not a directory");
            // A folder of our own for the image kept between save and restore, removed on every exit path, signals included.
            using var scratch = ScratchDirectory.Create(temp);
            var options = new ThroughputOptions
            {
                Device = parse.GetValue(device)!,
                ChunkSizes = parse.GetValue(sizes) is { } s ? ParseSizes(s) : null,
                Runs = parse.GetValue(runs),
                RestoreRealDevice = parse.GetValue(allowRestore),
                TempDirectory = scratch.Path,
                BaselineBytes = (int)baselineBytes,
                Resume = parse.GetValue(resume),
            };
            var report = ThroughputCheck.Run(options, (label, total) => new ProgressMeter(ctx.Error, ctx.Terminal, label, total));
            if (parse.GetValue(json)) WriteJson(ctx.StdOut, report);
            else WriteText(ctx.Out, report);
            return report.Passed ? ExitCode.Ok : ExitCode.InvalidStream;
        }));
        return command;
    }

    private static List<ulong> ParseSizes(string text)
    {
        var list = new List<ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            list.Add(EmulatedPf.CheckVramChunk(SpecText.ParseSize(part, "--chunk"), $"--chunk: {part}"));
        }
        return list.Count > 0 ? list : throw new UsageException("--chunk: no size given");
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Seconds(double s) => s < 0.01 ? $"{F(s * 1000, "F2")} ms" : $"{F(s, "F3")} s";

    private static string Floor(ThroughputDirection d) =>
        d.Failure is not null ? "MISSED (ETIME)"
        : d.SlowestFenceChunkSeconds is null ? "n/a (no VRAM)"
        : d.FloorMet ? $"met ({F(d.Headroom ?? 0, "F0")}x)" : "MISSED";

    private static void WriteText(TextWriter w, ThroughputReport r)
    {
        w.WriteLine($"xsk conformance throughput: {r.Device}; {F(r.TotalSeconds, "F1")} s");
        Units.Machine(w, r.Machine);
        w.WriteLine($"baseline: {r.Memcpy.Title}: {F(r.Memcpy.GbPerSecond, "F2")} GB/s ({r.Memcpy.Runs} runs)");
        w.WriteLine($"floor: each VRAM chunk of the driver (at most {Units.Bytes(VramTimeline.FenceChunk)}) within its {F(VramTimeline.FenceTimeout.TotalSeconds, "F0")} s fence timeout (>= {F(VramTimeline.FloorBytesPerSecond / 1e9, "F3")} GB/s for a full one), else ETIME");
        w.WriteLine();
        w.WriteLine($"{"chunk",-10} {"op",-8} {"chunks",7} {"VRAM",10} {"GB/s",8} {"x memcpy",9} {"stream GB/s",12}  {"slowest chunk",-14} {"slowest window",-15} floor");
        foreach (var row in r.Rows)
            foreach (var d in new[] { row.Save, row.Restore })
            {
                if (d is null) continue;
                if (d.Runs == 0)
                {
                    w.WriteLine($"{Units.Bytes(row.ChunkSize),-10} {d.Operation,-8} no run completed: {d.Failure}");
                    continue;
                }
                var fence = d.SlowestFenceChunkSeconds is { } s ? Seconds(s) : "-";
                w.WriteLine($"{Units.Bytes(row.ChunkSize),-10} {d.Operation,-8} {d.VramChunks,7} {Units.Bytes(d.VramBytes),10} {F(d.VramBytesPerSecond / 1e9, "F2"),8} {F(d.MemcpyRatio, "F2"),9} {F(d.StreamBytesPerSecond / 1e9, "F2"),12}  {Seconds(d.SlowestChunk.Seconds),-14} {fence,-15} {Floor(d)}");
                if (d.Failure is not null) w.WriteLine($"  {d.Failure}");
            }
        if (r.RestoreSkipped is not null) w.WriteLine($"restore: not measured: {r.RestoreSkipped}");
        var checks = r.Rows.SelectMany(x => new[] { x.Save, x.Restore }).OfType<ThroughputDirection>().ToList();
        w.WriteLine();
        w.WriteLine($"{checks.Count(d => d.FloorMet)} of {checks.Count} floor checks met; {r.Rows[0].Save.Runs} run(s) each, median run shown, slowest chunk of any run checked");
    }

    private static void WriteJson(Stream stdout, ThroughputReport r) =>
        JsonOut.Document(stdout, ThroughputJson.Of(r), CliJsonContext.Default.ThroughputJson);
}
