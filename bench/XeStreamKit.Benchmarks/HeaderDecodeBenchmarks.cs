using BenchmarkDotNet.Attributes;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Format;

namespace XeStreamKit.Benchmarks;

/// <summary>Decoding and encoding 24-byte headers from a span, per header, against copying the
/// same bytes. Goal: at least 100 million headers/s decoded, 0 bytes allocated.</summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class HeaderDecodeBenchmarks : IThroughputBenchmark
{
    private const int Headers = 4096;
    private byte[] _bytes = [];
    private byte[] _copy = [];

    /// <inheritdoc/>
    public long BytesPerOperation(string method) => PacketHeader.EncodedSize;

    [GlobalSetup]
    public void Setup()
    {
        _bytes = Workloads.SampleHeaders(Headers);
        _copy = new byte[_bytes.Length];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Headers)]
    public void Memcpy() => _bytes.AsSpan().CopyTo(_copy);

    [Benchmark(OperationsPerInvoke = Headers)]
    public ulong DecodeHeaders() => Workloads.DecodeHeaders(_bytes);

    [Benchmark(OperationsPerInvoke = Headers)]
    public void EncodeHeaders()
    {
        var span = _copy.AsSpan();
        for (var i = 0; i < Headers; i++)
            new PacketHeader(1, PacketType.Vram, 0, 0, 0, (ulong)i, 4096).Write(span.Slice(i * PacketHeader.EncodedSize));
    }
}
