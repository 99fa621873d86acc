using System.Diagnostics;
using XeStreamKit.Devices;
using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.IO;
using XeStreamKit.Text;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Harness.Conformance;

/// <summary>What <see cref="ThroughputCheck"/> measures.</summary>
public sealed record ThroughputOptions
{
    /// <summary>The device, as <see cref="DeviceSpec.Open"/> takes it.</summary>
    public required string Device { get; init; }

    /// <summary>VRAM chunk sizes to measure (emulated devices only: real ones use the driver's);
    /// null: the device's own chunking, or <see cref="ThroughputCheck.DefaultSizes"/> for an emulated device.</summary>
    public IReadOnlyList<ulong>? ChunkSizes { get; init; }

    /// <summary>Saves (and restores) per chunk size.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Restore into a real device too: the image just saved is written back into the same
    /// VF, which replaces its state. Emulated devices restore into a second emulated PF always.</summary>
    public bool RestoreRealDevice { get; init; }

    /// <summary>Where a real device's image is kept between its save and its restore (deleted on close).</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Bytes the memcpy baseline copies (twice this is allocated while it runs).</summary>
    public int BaselineBytes { get; init; } = 128 << 20;

    /// <summary>Time the memcpy baseline is repeated for, after its warm-up.</summary>
    public TimeSpan BaselineBudget { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Bytes per read() and write(): QEMU's VFIO buffer.</summary>
    public int IoSize { get; init; } = Workloads.DefaultChunk;

    /// <summary>Leave the VF running at the end (a real device; it is paused to save).</summary>
    public bool Resume { get; init; }
}

/// <summary>Save or restore at one chunk size, over every run.</summary>
/// <param name="Operation"><c>save</c> or <c>restore</c>.</param>
/// <param name="Runs">Runs completed.</param>
/// <param name="StreamBytes">Bytes of the stream (one run).</param>
/// <param name="VramChunks">VRAM packets (one run).</param>
/// <param name="VramBytes">VRAM payload bytes (one run).</param>
/// <param name="LargestChunk">The largest VRAM chunk.</param>
/// <param name="VramBytesPerSecond">VRAM bytes over the time read()/write() took for them, median run.</param>
/// <param name="StreamBytesPerSecond">Stream bytes over the time spent in the device (begin, every read()/write(), finish), median run.</param>
/// <param name="MemcpyRatio">VRAM rate as a fraction of the memcpy baseline.</param>
/// <param name="SlowestChunk">The chunk that took longest, over all runs: bytes and seconds.</param>
/// <param name="SlowestFenceChunkSeconds">The slowest fence window over all runs: a driver chunk, or as much VRAM as one (<see cref="VramTimeline"/>).</param>
/// <param name="Failure">Why a run stopped: the driver's ETIME (a chunk's copy exceeded the fence timeout).</param>
public sealed record ThroughputDirection(string Operation, int Runs, long StreamBytes, long VramChunks, ulong VramBytes, ulong LargestChunk,
    double VramBytesPerSecond, double StreamBytesPerSecond, double MemcpyRatio, (ulong Bytes, double Seconds) SlowestChunk, double? SlowestFenceChunkSeconds, string? Failure)
{
    /// <summary>True when every fence window moved within the fence timeout (and no run hit ETIME).</summary>
    public bool FloorMet => Failure is null && (SlowestFenceChunkSeconds is not { } s || s <= VramTimeline.FenceTimeout.TotalSeconds);

    /// <summary>How many times the slowest fence window fits in the fence timeout.</summary>
    public double? Headroom => SlowestFenceChunkSeconds is { } s && s > 0 ? VramTimeline.FenceTimeout.TotalSeconds / s : null;
}

/// <summary>One chunk size.</summary>
/// <param name="ChunkSize">The chunk size asked for (emulated) or the largest chunk the driver sent.</param>
/// <param name="Save">The save.</param>
/// <param name="Restore">The restore, or null when it was not run.</param>
public sealed record ThroughputRow(ulong ChunkSize, ThroughputDirection Save, ThroughputDirection? Restore)
{
    /// <summary>True when save and restore met the driver's floor.</summary>
    public bool FloorMet => Save.FloorMet && Restore?.FloorMet != false;
}

/// <summary>The outcome of <see cref="ThroughputCheck"/>.</summary>
/// <param name="Device">The device measured.</param>
/// <param name="Machine">This host.</param>
/// <param name="Memcpy">The memcpy baseline, measured first in the same run.</param>
/// <param name="Rows">One per chunk size.</param>
/// <param name="RestoreSkipped">Why restore was not measured, or null.</param>
/// <param name="TotalSeconds">Wall time.</param>
public sealed record ThroughputReport(string Device, MachineInfo Machine, BenchMeasurement Memcpy, IReadOnlyList<ThroughputRow> Rows, string? RestoreSkipped, double TotalSeconds)
{
    /// <summary>True when every row met the driver's floor.</summary>
    public bool Passed => Rows.All(r => r.FloorMet);
}

/// <summary>
/// Throughput conformance: how fast a device moves VRAM chunks on save and on restore, per chunk
/// size, as bytes per second and as a fraction of this machine's memcpy measured first in the
/// same run, and whether it meets the driver's floor - each 512 MiB chunk's GPU copy must finish
/// within the 5 s fence timeout (PF_VRAM_SAVE_RESTORE_TIMEOUT), about 107 MB/s, or the save or
/// restore fails with ETIME. Only the time spent in the device's read() and write() calls is
/// charged (<see cref="VramTimeline"/>), not the harness's. A report, not a timed test.
/// </summary>
public static class ThroughputCheck
{
    /// <summary>Chunk sizes an emulated device is measured at by default: small, a huge page, large, the driver's.</summary>
    public static readonly IReadOnlyList<ulong> DefaultSizes = [64UL << 10, 2UL << 20, 64UL << 20, EmulatedPf.DriverVramChunk];

    private const string Emulated = "emulated:";

    /// <summary>Measures the device <see cref="ThroughputOptions.Device"/> names; <paramref name="meter"/> gets a
    /// label and the expected bytes of each transfer and returns what is told the position
    /// (disposed after the transfer when it is <see cref="IDisposable"/>).</summary>
    public static ThroughputReport Run(ThroughputOptions options, Func<string, long?, IProgress<long>?>? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Device.StartsWith(Emulated, StringComparison.Ordinal))
        {
            if (options.ChunkSizes is not null)
                throw new SpecTextException("--chunk: the driver cuts VRAM in 512 MiB chunks; other sizes can be measured on emulated devices only");
            using var device = DeviceSpec.Open(options.Device);
            return Run(device, options, meter);
        }
        Check(options);
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Current();
        var spec = options.Device[Emulated.Length..];
        var parsed = TargetSpec.Parse(spec, "--device", DeviceSpec.EmulatedKeys, HostTargetSource.Default);
        if (parsed.Extras.ContainsKey("chunk") && options.ChunkSizes is not null)
            throw new SpecTextException("--device chunk= and --chunk both set the VRAM chunk size: give one");
        if (parsed.Target.LmemBytes is not > 0)
            throw new SpecTextException($"--device: {parsed.Target.Describe()} has no VRAM (no LMEM provisioned): VRAM chunk throughput needs a discrete platform such as bmg");
        var sizes = options.ChunkSizes ?? (parsed.Extras.ContainsKey("chunk") ? [DeviceSpec.OpenEmulated(parsed).Vf.Pf.VramChunkSize] : DefaultSizes);
        var memcpy = MeasureMemcpy(options);
        var buffer = GC.AllocateUninitializedArray<byte>(options.IoSize);
        var rows = new List<ThroughputRow>();
        foreach (var size in sizes)
        {
            using var source = DeviceSpec.OpenEmulated(parsed, chunk: size);
            // The destination is a second PF: an emulated VF keeps restored VRAM as digests and could not be saved from again.
            using var destination = DeviceSpec.OpenEmulated(parsed);
            // Paused once: the driver refuses to pause a paused VF (ESTALE); save and restore leave it paused.
            source.Pause();
            destination.Pause();
            if (rows.Count == 0)
            {
                // The emulated device is code in this process: one untimed save and restore first,
                // so compiling it is not charged to the first run.
                SaveOnce(source, null, buffer, null);
                RestoreOnce(destination, new SaveReader(source), buffer, null);
            }
            var label = SpecText.FormatSize(size);
            var save = Measure("save", options.Runs, run => SaveOnce(source, null, buffer, Meter(meter, $"save, {label} chunks, run {run}", source.EstimateSize())), memcpy);
            var restore = Measure("restore", options.Runs, run => RestoreOnce(destination, new SaveReader(source), buffer, Meter(meter, $"restore, {label} chunks, run {run}", source.EstimateSize())), memcpy);
            rows.Add(new ThroughputRow(size, save, restore));
        }
        return new ThroughputReport(options.Device, machine, memcpy, rows, null, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Measures <paramref name="device"/> with the driver's own chunking: saves it
    /// <see cref="ThroughputOptions.Runs"/> times and, with <see cref="ThroughputOptions.RestoreRealDevice"/>,
    /// restores each image into it right after its save (through a temporary file).</summary>
    public static ThroughputReport Run(IMigrationDevice device, ThroughputOptions options, Func<string, long?, IProgress<long>?>? meter = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Current();
        var memcpy = MeasureMemcpy(options);
        var buffer = GC.AllocateUninitializedArray<byte>(options.IoSize);
        // Paused once (a finished save or restore leaves it paused), or left paused by an earlier save.
        device.EnsurePaused();
        var estimate = device.EstimateSize();
        FileStream? image = null;
        var restores = new List<Transfer>();
        string? restoreFailure = null;
        try
        {
            var save = Measure("save", options.Runs, run =>
            {
                image?.Dispose();
                image = options.RestoreRealDevice && restoreFailure is null ? TempImage(options.TempDirectory) : null;
                var result = SaveOnce(device, image, buffer, Meter(meter, $"save, run {run}", estimate));
                if (image is null) return result;
                // Restore right after each save, so the VF always gets back the state it had.
                image.Position = 0;
                try
                {
                    restores.Add(RestoreOnce(device, image, buffer, Meter(meter, $"restore, run {run}", image.Length)));
                }
                catch (DeviceException e) when (e.Errno == (int)Errno.ETIME)
                {
                    restoreFailure = FenceFailure(run, e);
                }
                return result;
            }, memcpy);
            var restore = options.RestoreRealDevice ? Summarize("restore", restores, memcpy, restoreFailure) : null;
            var skipped = options.RestoreRealDevice ? null : "restore writes the saved image back into the VF, replacing its state: pass --allow-restore to measure it";
            return new ThroughputReport(device.Description, machine, memcpy, [new ThroughputRow(save.LargestChunk, save, restore)], skipped, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            image?.Dispose();
            if (options.Resume) device.Resume();
        }
    }

    private static void Check(ThroughputOptions options)
    {
        if (options.Runs < 1) throw new SpecTextException("--runs: at least 1");
        if (options.IoSize < 1) throw new SpecTextException("the I/O size must be positive");
    }

    private static BenchMeasurement MeasureMemcpy(ThroughputOptions options)
    {
        var from = GC.AllocateUninitializedArray<byte>(options.BaselineBytes);
        var to = GC.AllocateUninitializedArray<byte>(options.BaselineBytes);
        from.AsSpan().Fill(0x5A);
        return HostBenchmark.Measure("memcpy", $"memcpy (Span.CopyTo) of {SpecText.FormatSize((ulong)options.BaselineBytes)}", true, from.Length, 0,
            () => Workloads.Memcpy(from, to), new HostBenchmarkOptions { Budget = options.BaselineBudget });
    }

    private static IProgress<long>? Meter(Func<string, long?, IProgress<long>?>? meter, string label, long? total) => meter?.Invoke(label, total);

    /// <summary>One transfer: its timeline and the seconds spent in the device.</summary>
    private readonly record struct Transfer(VramTimeline Timeline, double DeviceSeconds);

    /// <summary>Runs <paramref name="once"/> <paramref name="runs"/> times; an ETIME stops the runs and is the failure.</summary>
    private static ThroughputDirection Measure(string operation, int runs, Func<int, Transfer> once, BenchMeasurement memcpy)
    {
        var done = new List<Transfer>();
        string? failure = null;
        for (var run = 1; run <= runs && failure is null; run++)
        {
            try
            {
                done.Add(once(run));
            }
            catch (DeviceException e) when (e.Errno == (int)Errno.ETIME)
            {
                failure = FenceFailure(run, e);
            }
        }
        return Summarize(operation, done, memcpy, failure);
    }

    private static string FenceFailure(int run, DeviceException e) =>
        $"run {run}: {e.Message} (a VRAM chunk's copy took longer than the driver's {VramTimeline.FenceTimeout.TotalSeconds:F0} s fence timeout)";

    private static ThroughputDirection Summarize(string operation, IReadOnlyList<Transfer> transfers, BenchMeasurement memcpy, string? failure)
    {
        if (transfers.Count == 0) return new ThroughputDirection(operation, 0, 0, 0, 0, 0, 0, 0, 0, (0, 0), null, failure);
        var first = transfers[0].Timeline;
        var vram = Median(transfers.Select(t => t.Timeline.VramBytesPerSecond ?? 0));
        var stream = Median(transfers.Select(t => t.Timeline.Position / Math.Max(t.DeviceSeconds, double.Epsilon)));
        return new ThroughputDirection(operation, transfers.Count, first.Position, first.VramChunks, first.VramBytes,
            transfers.Max(t => t.Timeline.LargestChunk), vram, stream, vram / (memcpy.GbPerSecond * 1e9),
            transfers.Select(t => t.Timeline.SlowestChunk).MaxBy(c => c.Seconds), transfers.Max(t => t.Timeline.SlowestFenceChunkSeconds), failure);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Begin, read() to EOF (each call timed), finish, on a paused VF; a copy of the bytes goes to <paramref name="copy"/>.</summary>
    private static Transfer SaveOnce(IMigrationDevice device, Stream? copy, byte[] buffer, IProgress<long>? progress)
    {
        using var _ = progress as IDisposable;
        var timeline = new VramTimeline();
        var start = Stopwatch.GetTimestamp();
        var data = device.BeginSave();
        var setup = Stopwatch.GetElapsedTime(start).TotalSeconds;
        while (true)
        {
            var t = Stopwatch.GetTimestamp();
            var n = data.Read(buffer);
            timeline.Add(buffer.AsSpan(0, n), Stopwatch.GetElapsedTime(t).TotalSeconds);
            if (n == 0) break;
            copy?.Write(buffer, 0, n);
            progress?.Report(timeline.Position);
        }
        start = Stopwatch.GetTimestamp();
        device.FinishSave();
        setup += Stopwatch.GetElapsedTime(start).TotalSeconds;
        timeline.Complete();
        copy?.Flush();
        return new Transfer(timeline, timeline.Seconds + setup);
    }

    /// <summary>Begin, write() <paramref name="source"/> (each write timed, the reads not), finish, on a paused VF.</summary>
    private static Transfer RestoreOnce(IMigrationDevice device, Stream source, byte[] buffer, IProgress<long>? progress)
    {
        using var _ = progress as IDisposable;
        using var __ = source as SaveReader;
        var timeline = new VramTimeline();
        var start = Stopwatch.GetTimestamp();
        var sink = device.BeginRestore();
        var setup = Stopwatch.GetElapsedTime(start).TotalSeconds;
        for (int n; (n = source.Read(buffer)) > 0;)
        {
            var t = Stopwatch.GetTimestamp();
            sink.Write(buffer, 0, n);
            timeline.Add(buffer.AsSpan(0, n), Stopwatch.GetElapsedTime(t).TotalSeconds);
            progress?.Report(timeline.Position);
        }
        timeline.Complete();
        start = Stopwatch.GetTimestamp();
        device.FinishRestore();
        setup += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new Transfer(timeline, timeline.Seconds + setup);
    }

    private static FileStream TempImage(string directory)
    {
        if (!Directory.Exists(directory)) throw new IOException($"--temp-dir: {directory} is not a directory");
        var path = Path.Combine(directory, $"xsk-throughput-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
    }

    /// <summary>A fresh save of an emulated VF read as a stream: the source of an emulated restore, made as it is written.</summary>
    private sealed class SaveReader : ForwardReadStream
    {
        private readonly IMigrationDevice _device;
        private readonly Stream _data;
        private bool _finished;

        public SaveReader(IMigrationDevice device)
        {
            _device = device;
            _data = device.BeginSave();
        }

        public override int Read(Span<byte> buffer)
        {
            if (_finished) return 0;
            var n = _data.Read(buffer);
            if (n == 0)
            {
                _finished = true;
                _device.FinishSave();
            }
            return n;
        }
    }
}
