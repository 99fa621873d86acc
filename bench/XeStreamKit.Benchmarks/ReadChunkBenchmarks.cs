using BenchmarkDotNet.Attributes;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.IO;

namespace XeStreamKit.Benchmarks;

/// <summary>
/// Validation of a page-cached driver-shaped image (4 GiB of VRAM in 512 MiB chunks with
/// XSK_BENCH_FULL=1) against a sequential read of the same file with the same read() size,
/// for read sizes from 4 KiB to 512 MiB. Goal: validation at least 0.9x the read, and flat from
/// 64 KiB up.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class ReadChunkBenchmarks : IThroughputBenchmark
{
    private byte[] _buffer = [];
    private string _path = "";

    /// <summary>Bytes per read().</summary>
    [ParamsSource(nameof(ReadChunks))]
    public int ReadChunk { get; set; } = 1 << 20;

    /// <summary>The sizes swept.</summary>
    public static IEnumerable<int> ReadChunks => Suite.ReadChunks;

    private static BenchImage Image => new(Suite.ReadSweepLmem, EmulatedPf.DriverVramChunk);

    /// <inheritdoc/>
    public long BytesPerOperation(string method) => Image.Length;

    [GlobalSetup]
    public void Setup()
    {
        _path = Suite.ImageFile(Image);
        _buffer = Suite.Touched(ReadChunk);
    }

    [GlobalCleanup]
    public void Cleanup() => _buffer = [];

    /// <summary>Baseline: read() of the page-cached file, <see cref="ReadChunk"/> at a time.</summary>
    [Benchmark(Baseline = true)]
    public long FileRead() => Workloads.ReadFile(_path, _buffer, ReadChunk);

    /// <summary>Strict validation reading every byte (the file as a pipe), same read size.</summary>
    [Benchmark]
    public long ValidateStream()
    {
        using var file = new ForwardOnlyStream(Workloads.OpenRead(_path));
        return Workloads.Validate(file, digest: false, ReadChunk).Bytes;
    }

    /// <summary>Strict validation of the file: VRAM is seeked over.</summary>
    [Benchmark]
    public long ValidateFile()
    {
        using var file = Workloads.OpenRead(_path);
        return Workloads.Validate(file, digest: false, ReadChunk).Bytes;
    }

    /// <summary>Strict validation plus the CRC-32C digest, same read size.</summary>
    [Benchmark]
    public long ValidateCrc32C()
    {
        using var file = Workloads.OpenRead(_path);
        return Workloads.Validate(file, digest: true, ReadChunk).Bytes;
    }
}
