using XeStreamKit.IO;
namespace XeStreamKit.Tests.Support;

/// <summary>
/// A non-seekable stream over bytes that returns reads of the sizes a schedule picks (1 byte,
/// random, ...), like a pipe or a character device would.
/// </summary>
public sealed class ChunkedStream : ForwardReadStream
{
    private readonly byte[] _data;
    private readonly Func<int> _nextChunk;
    private int _position;

    /// <summary>Reads of at most <paramref name="nextChunk"/>() bytes each (at least 1).</summary>
    public ChunkedStream(byte[] data, Func<int> nextChunk)
    {
        _data = data;
        _nextChunk = nextChunk;
    }

    public static ChunkedStream OneByte(byte[] data) => new(data, () => 1);

    public static ChunkedStream Random(byte[] data, int seed, int max = 97)
    {
        var rng = new Random(seed);
        return new ChunkedStream(data, () => rng.Next(1, max + 1));
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position == _data.Length) return 0;
        var n = Math.Min(Math.Min(buffer.Length, Math.Max(1, _nextChunk())), _data.Length - _position);
        _data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
