using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Text;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk bench [--quick] [--json]</c>: a self-calibrating measurement of a few seconds on this
/// host - memcpy and file-read baselines, then header decode, validation, validation with
/// CRC-32C, encoding and the emulated device's save and restore, as GB/s and as ratios to the
/// baselines measured in the same run. Exit 0 whether or not the goals are met (they inform).
/// </summary>
public static class BenchCommand
{
    /// <summary>Image size and time per measurement of a default run.</summary>
    public static readonly string DefaultSize = SpecText.FormatSize(new HostBenchmarkOptions().Lmem);

    /// <summary>The same for <c>--quick</c>.</summary>
    public const string QuickSize = "64MiB";

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var quick = new Option<bool>("--quick") { Description = $"A smaller image ({QuickSize}) and 0.1 s per measurement instead of {DefaultSize} and 0.4 s" };
        var json = new Option<bool>("--json") { Description = "Print {\"image\",\"machine\",\"measurements\":[...],\"goals\":[...]}" };
        var size = new Option<string?>("--lmem") { Description = "VRAM of the emulated VF whose image is measured (e.g. 1GiB); the image is about that size, and twice that is held in memory" };
        var defaults = new HostBenchmarkOptions();
        var chunk = new Option<string>("--chunk") { Description = "VRAM chunk size of the image (4KiB..512MiB)", DefaultValueFactory = _ => SpecText.FormatSize(defaults.VramChunk) };
        var dir = new Option<string?>("--temp-dir") { Description = "Directory for the image file (deleted afterwards); default: the temporary directory" };
        var command = new Command("bench", "Measure this host: memcpy and file-read baselines, then decode, validate, digest, encode, save and restore, as GB/s and ratios")
        {
            quick, json, size, chunk, dir,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var isQuick = parse.GetValue(quick);
            var lmem = SpecText.ParseSize(parse.GetValue(size) ?? (isQuick ? QuickSize : DefaultSize), "--lmem");
            var vramChunk = SpecText.ParseSize(parse.GetValue(chunk)!, "--chunk");
            if (lmem == 0 || lmem % 4096 != 0) throw new UsageException("--lmem: must be a non-zero multiple of 4 KiB");
            if (lmem > 1UL << 30) throw new UsageException("--lmem: at most 1GiB (the image is held in memory twice)");
            EmulatedPf.CheckVramChunk(vramChunk, "--chunk");
            var directory = parse.GetValue(dir) ?? defaults.Directory;
            if (!Directory.Exists(directory)) throw new UsageException($"--temp-dir: {directory} is not a directory");
            // A folder of our own for the image, removed on every exit path, signals included.
            using var scratch = ScratchDirectory.Create(directory);
            var options = new HostBenchmarkOptions
            {
                Lmem = lmem,
                VramChunk = vramChunk,
                Directory = scratch.Path,
                Budget = TimeSpan.FromMilliseconds(isQuick ? 100 : 400),
            };
            var report = HostBenchmark.Run(options, ctx.Terminal ? title => ctx.Error.Write($"\rbench: {title,-60}") : null);
            if (ctx.Terminal) ProgressMeter.Erase(ctx.Error);
            if (parse.GetValue(json)) WriteJson(ctx.StdOut, report);
            else WriteText(ctx.Out, report);
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Below this the image fits in the caches of most CPUs, and the ratios say little about
    /// migration-sized images.</summary>
    private const long SmallImage = 64L << 20;

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Value(BenchRatio r) => r.Unit == "headers/s" ? $"{F(r.Value / 1e6, "F1")}M headers/s" : $"{F(r.Value, r.Value >= 10 ? "F1" : "F2")} {r.Unit}";

    private static string Goal(BenchRatio r) => r.Unit == "headers/s" ? $">= {F(r.Target / 1e6, "F0")}M/s" : $">= {F(r.Target, "F1")}";

    private static void WriteText(TextWriter w, HostBenchmarkReport r)
    {
        w.WriteLine($"xsk bench: {Units.Bytes(r.ImageBytes)} image (emulated BMG VF, {r.Image.Packets} packets, VRAM in {Units.Bytes(r.Image.VramChunk)} chunks), page-cached; {F(r.TotalSeconds, "F1")} s");
        Units.Machine(w, r.Machine);
        if (r.ImageBytes < SmallImage)
            w.WriteLine($"note: a {Units.Bytes(r.ImageBytes)} image stays in the CPU caches and fixed costs weigh on it; the goals are for images of {Units.Bytes(SmallImage)} and more");
        w.WriteLine();
        w.WriteLine($"{"measurement",-48} {"GB/s",8} {"runs",5}  {"vs baseline",-20} goal");
        foreach (var m in r.Measurements)
        {
            var ratio = r.Ratios.FirstOrDefault(x => x.Measurement == m.Id);
            var against = m.IsBaseline ? "baseline" : ratio is null ? "" : Value(ratio);
            var goal = ratio is null ? "" : $"{Goal(ratio)} {(ratio.Met ? "met" : "MISSED")}";
            w.WriteLine($"{m.Title,-48} {F(m.GbPerSecond, "F2"),8} {m.Runs,5}  {against,-20} {goal}".TrimEnd());
        }
        var met = r.Ratios.Count(x => x.Met);
        var decode = r.Measurements.First(m => m.Id == "header-decode");
        var validate = r.Measurements.First(m => m.Id == "validate-stream");
        w.WriteLine();
        w.WriteLine($"{met} of {r.Ratios.Count} goals met; allocated {F(decode.AllocatedBytesPerItem, "F1")} B per header decoded, {Units.Bytes(validate.AllocatedBytesPerRun)} per validation ({validate.ItemsPerRun} packets)");
    }

    private static void WriteJson(Stream stdout, HostBenchmarkReport r) =>
        JsonOut.Document(stdout, BenchJson.Of(r), CliJsonContext.Default.BenchJson);
}
