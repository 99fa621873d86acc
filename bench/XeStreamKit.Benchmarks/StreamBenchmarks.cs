using BenchmarkDotNet.Attributes;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.IO;
using XeStreamKit.Reading;

namespace XeStreamKit.Benchmarks;

/// <summary>
/// Every operation on one image - the save of an emulated BMG VF (1 GiB of VRAM with
/// XSK_BENCH_FULL=1) - for VRAM chunk (packet) sizes from 4 KiB to 512 MiB, against a memcpy of
/// the image and a sequential read of its page-cached file measured in the same run. Each
/// operation moves the whole image; reads and writes are 1 MiB, as QEMU's.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class StreamBenchmarks : IThroughputBenchmark
{
    private byte[] _image = [];
    private byte[] _copy = [];
    private byte[] _buffer = [];
    private byte[] _vramSource = [];
    private string _path = "";
    private EmulatedVfDevice? _source;
    private EmulatedVfDevice? _destination;

    /// <summary>Bytes per VRAM packet.</summary>
    [ParamsSource(nameof(VramChunks))]
    public int VramChunk { get; set; } = 1 << 20;

    /// <summary>The sizes swept.</summary>
    public static IEnumerable<int> VramChunks => Suite.VramChunks;

    private BenchImage Image => new(Suite.ChunkSweepLmem, (ulong)VramChunk);

    /// <inheritdoc/>
    public long BytesPerOperation(string method) => Image.Length;

    [GlobalSetup]
    public void Setup()
    {
        var image = Image;
        _path = Suite.ImageFile(image);
        _image = Suite.Touched(checked((int)image.Length));
        using (var file = Workloads.OpenRead(_path)) file.ReadExactly(_image);
        _copy = Suite.Touched(_image.Length);
        _buffer = Suite.Touched(Workloads.DefaultChunk);
        _vramSource = new byte[Workloads.DefaultChunk];
        SeededBytes.Fill(_vramSource, 3, 0);
        _source = image.OpenSource();
        _destination = image.OpenDestination();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source?.Dispose();
        _destination?.Dispose();
        _image = _copy = [];
    }

    /// <summary>Baseline: Span.CopyTo of the image.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => Workloads.Memcpy(_image, _copy);

    /// <summary>Baseline: read() of the page-cached file, 1 MiB at a time.</summary>
    [Benchmark]
    public long FileRead() => Workloads.ReadFile(_path, _buffer);

    /// <summary>The reader over the in-memory image: headers decoded, payloads skipped (by seeking).</summary>
    [Benchmark]
    public long WalkHeaders()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(_image, writable: false));
        while (reader.ReadNextPacket()) { }
        return reader.Position;
    }

    /// <summary>The reader over the in-memory image as a pipe: every payload handed out chunk by chunk.</summary>
    [Benchmark]
    public long WalkPayloads()
    {
        using var reader = new MigrationStreamReader(new ForwardOnlyStream(new MemoryStream(_image, writable: false)), new MigrationStreamReaderOptions { BufferSize = Workloads.DefaultChunk });
        long total = 0;
        while (reader.ReadNextPacket())
            for (var c = reader.ReadPayloadChunk(); !c.IsEmpty; c = reader.ReadPayloadChunk()) total += c.Length;
        return total;
    }

    /// <summary>Strict validation of the file: VRAM payloads are seeked over.</summary>
    [Benchmark]
    public long ValidateFile()
    {
        using var file = Workloads.OpenRead(_path);
        return Workloads.Validate(file, digest: false).Bytes;
    }

    /// <summary>Strict validation of the file as a pipe: every byte read.</summary>
    [Benchmark]
    public long ValidateStream()
    {
        using var file = new ForwardOnlyStream(Workloads.OpenRead(_path));
        return Workloads.Validate(file, digest: false).Bytes;
    }

    /// <summary>Strict validation plus the CRC-32C digest, from the file.</summary>
    [Benchmark]
    public long ValidateCrc32CFile()
    {
        using var file = Workloads.OpenRead(_path);
        return Workloads.Validate(file, digest: true).Bytes;
    }

    /// <summary>Strict validation plus the CRC-32C digest, from memory (no system call: the copy
    /// into the 1 MiB buffer and the CRC).</summary>
    [Benchmark]
    public long ValidateCrc32CMemory() => Workloads.Validate(new ForwardOnlyStream(new MemoryStream(_image, writable: false)), digest: true).Bytes;

    /// <summary>The writer encodes the VF into memory (VRAM from a reused 1 MiB buffer).</summary>
    [Benchmark]
    public long Encode() => Workloads.Encode(_source!, (ulong)VramChunk, new MemoryStream(_copy, writable: true), _vramSource);

    /// <summary>The emulated device's save, read() to EOF in 1 MiB.</summary>
    [Benchmark]
    public long EmulatedSave() => Workloads.Save(_source!, _buffer);

    /// <summary>The emulated device's restore of the image, 1 MiB write() calls.</summary>
    [Benchmark]
    public void EmulatedRestore() => Workloads.Restore(_destination!, _image);
}
