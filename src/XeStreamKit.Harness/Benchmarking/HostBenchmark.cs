using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using XeStreamKit.IO;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Validation;

namespace XeStreamKit.Harness.Benchmarking;

/// <summary>What <see cref="HostBenchmark"/> measures with.</summary>
public sealed record HostBenchmarkOptions
{
    /// <summary>VRAM bytes of the image (it is about that size).</summary>
    public ulong Lmem { get; init; } = 256UL << 20;

    /// <summary>VRAM chunk size of the image; the driver's 512 MiB by default.</summary>
    public ulong VramChunk { get; init; } = Devices.Emulated.EmulatedPf.DriverVramChunk;

    /// <summary>Where the image file is written (and deleted afterwards).</summary>
    public string Directory { get; init; } = Path.GetTempPath();

    /// <summary>Time spent repeating each measurement (after its warm-up).</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Fewest timed runs of each measurement.</summary>
    public int MinRuns { get; init; } = 3;
}

/// <summary>A baseline or an operation, timed.</summary>
/// <param name="Id">Stable id (JSON).</param>
/// <param name="Title">What was run.</param>
/// <param name="IsBaseline">True for memcpy and the file read.</param>
/// <param name="BytesPerRun">Bytes one run moves (the image, or the headers decoded).</param>
/// <param name="ItemsPerRun">Items one run handles (packets, headers).</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="MedianSeconds">Median time of a run.</param>
/// <param name="BestSeconds">Fastest run.</param>
/// <param name="AllocatedBytesPerRun">Managed bytes allocated per run (median run's thread).</param>
public sealed record BenchMeasurement(string Id, string Title, bool IsBaseline, long BytesPerRun, long ItemsPerRun, int Runs, double MedianSeconds, double BestSeconds, long AllocatedBytesPerRun)
{
    /// <summary>Decimal GB per second over the median run.</summary>
    public double GbPerSecond => BytesPerRun / MedianSeconds / 1e9;

    /// <summary>Decimal GB per second over the fastest run.</summary>
    public double BestGbPerSecond => BytesPerRun / BestSeconds / 1e9;

    /// <summary>Items per second over the median run.</summary>
    public double ItemsPerSecond => ItemsPerRun / MedianSeconds;

    /// <summary>Managed bytes allocated per item.</summary>
    public double AllocatedBytesPerItem => ItemsPerRun == 0 ? 0 : (double)AllocatedBytesPerRun / ItemsPerRun;
}

/// <summary>An operation against a baseline measured in the same run, and the goal for it.</summary>
/// <param name="Measurement">Id of the operation.</param>
/// <param name="Baseline">Id of the baseline (or <c>absolute</c> for a rate goal).</param>
/// <param name="Value">Throughput ratio (or, for an absolute goal, the rate).</param>
/// <param name="Target">The goal: a least ratio (or rate).</param>
/// <param name="Unit">How <see cref="Value"/> reads: <c>x memcpy</c>, <c>x file read</c>, <c>headers/s</c>.</param>
public sealed record BenchRatio(string Measurement, string Baseline, double Value, double Target, string Unit)
{
    /// <summary>True when the goal is met.</summary>
    public bool Met => Value >= Target;
}

/// <summary>The outcome of <see cref="HostBenchmark.Run"/>.</summary>
/// <param name="Image">The image measured.</param>
/// <param name="ImageBytes">Its length.</param>
/// <param name="Machine">CPU, cores, runtime and the code paths the CPU allows.</param>
/// <param name="Measurements">Baselines first, then operations, in the order run.</param>
/// <param name="Ratios">Each operation against its baseline.</param>
/// <param name="TotalSeconds">Wall time of the whole run, image included.</param>
public sealed record HostBenchmarkReport(BenchImage Image, long ImageBytes, MachineInfo Machine, IReadOnlyList<BenchMeasurement> Measurements, IReadOnlyList<BenchRatio> Ratios, double TotalSeconds);

/// <summary>The machine a measurement ran on.</summary>
/// <param name="Cpu">CPU model name.</param>
/// <param name="LogicalCores">Logical cores.</param>
/// <param name="Runtime">.NET runtime and how the code was compiled (<c>.NET 10.0.12 JIT</c>, <c>.NET 10.0.12 native AOT x86-64-v4</c>).</param>
/// <param name="Os">Operating system.</param>
/// <param name="Vector512">True when 64-bit lane multiplies run as vectors (AVX-512DQ): VRAM generation.</param>
/// <param name="Crc32CInterleaved">True when CRC-32C runs three lanes (SSE4.2 + PCLMULQDQ).</param>
/// <param name="LoadAverage">1-minute load average when the run started (Linux), else null.</param>
/// <param name="Optimized">False when the measured code is a Debug build (JIT optimizer off), which runs several times slower.</param>
public sealed record MachineInfo(string Cpu, int LogicalCores, string Runtime, string Os, bool Vector512, bool Crc32CInterleaved, double? LoadAverage, bool Optimized = true)
{
    /// <summary>The machine now.</summary>
    public static MachineInfo Current() => new(CpuName(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription + " " + CodeGeneration.Describe(), RuntimeInformation.OSDescription,
        Avx512DQ.IsSupported, StreamDigest.Crc32CInterleaved, LoadAverage1(), IsOptimized(typeof(StreamDigest).Assembly) && IsOptimized(typeof(MachineInfo).Assembly));

    /// <summary>A warning when the build is not optimized, else null.</summary>
    public string? BuildWarning => Optimized ? null
        : "this is a Debug build (JIT optimizer off): it runs several times slower than a release; measure with the installed tool or dotnet run -c Release";

    private static bool IsOptimized(System.Reflection.Assembly assembly) =>
        assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }, ..];

    /// <summary>One line, e.g. <c>AMD EPYC, 2 cores, .NET 10.0.12, AVX-512DQ vectors, CRC-32C 3 lanes</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Cpu}, {LogicalCores} logical cores, {Runtime}, {(Vector512 ? "AVX-512DQ vectors" : "scalar 64-bit multiplies")}, CRC-32C {(Crc32CInterleaved ? "3 interleaved lanes" : "1 lane")}{(LoadAverage is { } l ? $", load {l:F2}" : "")}");

    private static string CpuName()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                    return line[(colon + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static double? LoadAverage1()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The self-calibrating measurement <c>xsk bench</c> runs on a migration host, without
/// BenchmarkDotNet: builds an image of an emulated VF, writes it to a file and reads it once (so
/// it is page-cached), measures the memcpy and file-read baselines, then each operation; each is
/// warmed up, then repeated until <see cref="HostBenchmarkOptions.Budget"/> is spent, and its
/// median run counts. Every operation is reported against a baseline measured in the same run,
/// as the goals in bench/README.md are ratios.
/// </summary>
public static class HostBenchmark
{
    /// <summary>Headers decoded per run of the header measurement.</summary>
    public const int HeadersPerRun = 1 << 20;

    /// <summary>Runs every measurement; <paramref name="progress"/> is told each one's title as it starts.</summary>
    public static HostBenchmarkReport Run(HostBenchmarkOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Current();
        var image = new BenchImage(options.Lmem, Math.Min(options.VramChunk, Math.Max(Devices.Emulated.VramStore.PageSize, options.Lmem)));
        progress?.Invoke("building the image");
        var bytes = image.ToArray();
        var copy = GC.AllocateUninitializedArray<byte>(bytes.Length);
        var path = Path.Combine(options.Directory, $"xsk-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        var results = new List<BenchMeasurement>();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                file.Write(bytes);
            var buffer = GC.AllocateUninitializedArray<byte>(Workloads.DefaultChunk);
            long length = bytes.Length;
            var packets = image.Packets;

            BenchMeasurement M(string id, string title, bool baseline, long runBytes, long items, Action run)
            {
                progress?.Invoke(title);
                var m = Measure(id, title, baseline, runBytes, items, run, options);
                results.Add(m);
                return m;
            }

            var memcpy = M("memcpy", "memcpy (Span.CopyTo) of the image", true, length, 0, () => Workloads.Memcpy(bytes, copy));
            var read = M("file-read", "file read, 1 MiB read() calls (page-cached)", true, length, 0, () => Workloads.ReadFile(path, buffer));

            var headers = Workloads.SampleHeaders(4096);
            var decode = M("header-decode", "header decode (24-byte headers from a span)", false, (long)HeadersPerRun * Format.PacketHeader.EncodedSize, HeadersPerRun, () =>
            {
                for (var i = 0; i < HeadersPerRun / 4096; i++) Workloads.DecodeHeaders(headers);
            });
            var validateFile = M("validate-file", "validate strict, file (seeks over VRAM)", false, length, packets, () =>
            {
                using var f = Workloads.OpenRead(path);
                Workloads.Validate(f, digest: false);
            });
            var validateStream = M("validate-stream", "validate strict, stream (reads every byte)", false, length, packets, () =>
            {
                using var f = new ForwardOnlyStream(Workloads.OpenRead(path));
                Workloads.Validate(f, digest: false);
            });
            var digestStream = M("validate-crc32c-stream", "validate strict + CRC-32C, stream", false, length, packets, () =>
            {
                using var f = new ForwardOnlyStream(Workloads.OpenRead(path));
                Workloads.Validate(f, digest: true);
            });
            using var source = image.OpenSource();
            var vramSource = new byte[Workloads.DefaultChunk];
            SeededBytes.Fill(vramSource, 3, 0);
            var encode = M("encode", "encode with the writer (into memory)", false, length, packets, () =>
                Workloads.Encode(source, image.VramChunk, new MemoryStream(copy, writable: true), vramSource));
            var save = M("emulated-save", "emulated save (read() to EOF, 1 MiB)", false, length, packets, () => Workloads.Save(source, buffer));
            using var destination = image.OpenDestination();
            var restore = M("emulated-restore", "emulated restore (write() of the image, 1 MiB)", false, length, packets, () => Workloads.Restore(destination, bytes));

            var ratios = new List<BenchRatio>
            {
                new(decode.Id, "absolute", decode.ItemsPerSecond, 100e6, "headers/s"),
                new(validateFile.Id, read.Id, validateFile.GbPerSecond / read.GbPerSecond, 0.9, "x file read"),
                new(validateStream.Id, read.Id, validateStream.GbPerSecond / read.GbPerSecond, 0.9, "x file read"),
                new(digestStream.Id, memcpy.Id, digestStream.GbPerSecond / memcpy.GbPerSecond, 0.6, "x memcpy"),
                new(encode.Id, memcpy.Id, encode.GbPerSecond / memcpy.GbPerSecond, 0.5, "x memcpy"),
                new(save.Id, memcpy.Id, save.GbPerSecond / memcpy.GbPerSecond, 0.8, "x memcpy"),
                new(restore.Id, memcpy.Id, restore.GbPerSecond / memcpy.GbPerSecond, 0.8, "x memcpy"),
            };
            return new HostBenchmarkReport(image, length, machine, results, ratios, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The shortest warm-up under the JIT.</summary>
    public static readonly TimeSpan JitWarmUp = TimeSpan.FromMilliseconds(300);

    /// <summary>Warm-up (at least three runs and half the budget: tiered compilation promotes hot
    /// methods only after a quiet spell, and until then per-packet code runs unoptimised or
    /// instrumented - a stream of 4 KiB chunks validated at half speed with a shorter warm-up;
    /// lazily backed memory is touched too), then timed runs until the budget is spent. Under
    /// the JIT the warm-up lasts at least <see cref="JitWarmUp"/>: library code that is not
    /// precompiled for this CPU (System.IO.Hashing's XXH3 in the emulated restore) is promoted
    /// only after the runtime's 100 ms call-counting delay, longer than --quick's half budget.</summary>
    public static BenchMeasurement Measure(string id, string title, bool baseline, long bytes, long items, Action run, HostBenchmarkOptions options)
    {
        var warmFor = options.Budget / 2;
        if (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled && warmFor < JitWarmUp) warmFor = JitWarmUp;
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 3 || warm.Elapsed < warmFor; i++) run();
        var times = new List<double>();
        var allocated = new List<long>();
        var spent = Stopwatch.StartNew();
        while (times.Count < options.MinRuns || spent.Elapsed < options.Budget)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        var sorted = times.Order().ToList();
        return new BenchMeasurement(id, title, baseline, bytes, items, times.Count, sorted[sorted.Count / 2], sorted[0], allocated.Order().ElementAt(allocated.Count / 2));
    }
}
