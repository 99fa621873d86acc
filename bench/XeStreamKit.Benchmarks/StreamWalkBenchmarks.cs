using BenchmarkDotNet.Attributes;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Synthetic;
using XeStreamKit.Writing;

namespace XeStreamKit.Benchmarks;

/// <summary>Walking an in-memory stream of VRAM packets against a memcpy of the same bytes.</summary>
[MemoryDiagnoser]
public class StreamWalkBenchmarks
{
    private const int StreamBytes = 64 << 20;
    private byte[] _stream = [];
    private byte[] _copy = [];

    [Params(4096, 1 << 20)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            var payload = new byte[PayloadSize];
            SeededBytes.Fill(payload, 7, 0);
            for (ulong offset = 0; ms.Length + PayloadSize < StreamBytes; offset += (ulong)PayloadSize)
                w.WritePacket(PacketType.Vram, 0, 0, payload, offset);
        }
        _stream = ms.ToArray();
        _copy = new byte[_stream.Length];
    }

    [Benchmark(Baseline = true)]
    public void Memcpy() => _stream.AsSpan().CopyTo(_copy);

    [Benchmark]
    public long WalkHeadersSkipPayloads()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(_stream, writable: false));
        while (reader.ReadNextPacket()) { }
        return reader.Position;
    }

    [Benchmark]
    public long WalkAndCopyPayloads()
    {
        using var reader = new MigrationStreamReader(new MemoryStream(_stream, writable: false));
        var dest = _copy.AsSpan();
        var at = 0;
        while (reader.ReadNextPacket())
            for (var c = reader.ReadPayloadChunk(); !c.IsEmpty; c = reader.ReadPayloadChunk())
            {
                c.CopyTo(dest[at..]);
                at += c.Length;
            }
        return at;
    }
}
