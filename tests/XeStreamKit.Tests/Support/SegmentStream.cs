namespace XeStreamKit.Tests.Support;

/// <summary>
/// A read-only stream made of segments: real bytes, or runs of any length whose bytes are made
/// on demand (like System.Formats.Tar's SimulatedDataStream), so multi-GiB streams cost no
/// memory. Seekable unless told otherwise (to act as a pipe).
/// </summary>
public sealed class SegmentStream : Stream
{
    private readonly List<(long Start, long Length, byte[]? Bytes, Action<Span<byte>, long>? Fill)> _segments = [];
    private readonly bool _seekable;
    private long _position;

    public SegmentStream(bool seekable = true) => _seekable = seekable;

    public SegmentStream Add(byte[] bytes)
    {
        _segments.Add((Length, bytes.Length, bytes, null));
        return this;
    }

    /// <summary>A run of <paramref name="length"/> bytes; <paramref name="fill"/> gets a span and the offset inside the run.</summary>
    public SegmentStream AddVirtual(long length, Action<Span<byte>, long>? fill = null)
    {
        _segments.Add((Length, length, null, fill ?? ((s, _) => s.Clear())));
        return this;
    }

    public override long Length => _segments.Count == 0 ? 0 : _segments[^1].Start + _segments[^1].Length;
    public override bool CanRead => true;
    public override bool CanSeek => _seekable;
    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set => _position = _seekable ? value : throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < Length)
        {
            var seg = _segments.First(s => _position < s.Start + s.Length);
            var inSeg = _position - seg.Start;
            var n = (int)Math.Min(buffer.Length, seg.Length - inSeg);
            if (seg.Bytes is not null) seg.Bytes.AsSpan((int)inSeg, n).CopyTo(buffer);
            else seg.Fill!(buffer[..n], inSeg);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }
        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!_seekable) throw new NotSupportedException();
        return _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
