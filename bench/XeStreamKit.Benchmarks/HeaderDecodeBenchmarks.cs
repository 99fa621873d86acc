using BenchmarkDotNet.Attributes;
using XeStreamKit.Format;

namespace XeStreamKit.Benchmarks;

/// <summary>Decoding 24-byte headers from a span against copying the same bytes.</summary>
[MemoryDiagnoser]
public class HeaderDecodeBenchmarks
{
    private const int Headers = 4096;
    private byte[] _bytes = [];
    private byte[] _copy = [];

    [GlobalSetup]
    public void Setup()
    {
        _bytes = new byte[Headers * PacketHeader.EncodedSize];
        _copy = new byte[_bytes.Length];
        for (var i = 0; i < Headers; i++)
            new PacketHeader(1, (PacketType)(1 + i % 6), 0, (byte)(i & 1), 0, (ulong)i * 4096, (ulong)i).Write(_bytes.AsSpan(i * PacketHeader.EncodedSize));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Headers)]
    public void CopyHeaderBytes() => _bytes.AsSpan().CopyTo(_copy);

    [Benchmark(OperationsPerInvoke = Headers)]
    public ulong DecodeHeaders()
    {
        ulong sum = 0;
        var span = _bytes.AsSpan();
        for (var i = 0; i < Headers; i++)
            sum += PacketHeader.Read(span.Slice(i * PacketHeader.EncodedSize)).Size;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Headers)]
    public void EncodeHeaders()
    {
        var span = _copy.AsSpan();
        for (var i = 0; i < Headers; i++)
            new PacketHeader(1, PacketType.Vram, 0, 0, 0, (ulong)i, 4096).Write(span.Slice(i * PacketHeader.EncodedSize));
    }
}
