using System.Buffers;
using System.Buffers.Binary;
using XeStreamKit.IO;

namespace XeStreamKit.Qemu;

/// <summary>
/// The forward-only byte source under <see cref="QemuMigrationReader"/>: one pooled buffer, an
/// absolute position, big-endian reads that fail with the field's name and offset, a bounded
/// look-ahead window for the boundary scanner, and skips that seek when the source can.
/// Memory is the buffer, whatever the lengths the stream claims.
/// </summary>
internal sealed class QemuByteSource : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly bool _seekToSkip;
    private readonly IProgress<long>? _progress;
    private readonly long _progressInterval;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private long _bufferEndOffset;
    private long _nextProgress;

    public QemuByteSource(Stream stream, int bufferSize, bool leaveOpen, bool seekToSkip, IProgress<long>? progress, long progressInterval)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _seekToSkip = seekToSkip;
        _progress = progress;
        _progressInterval = Math.Max(1, progressInterval);
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        _nextProgress = progress is null ? long.MaxValue : _progressInterval;
    }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position => _bufferEndOffset - (_end - _start);

    /// <summary>The bytes buffered from <see cref="Position"/> on.</summary>
    public ReadOnlySpan<byte> Buffered => new(Buffer, _start, _end - _start);

    /// <summary>Capacity of the look-ahead window.</summary>
    public int Capacity => Buffer.Length;

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(QemuMigrationReader));

    /// <summary>Buffers at least <paramref name="count"/> bytes (at most <see cref="Capacity"/>) unless
    /// the stream ends first; returns how many are buffered.</summary>
    public int Fill(int count)
    {
        var read = ReadWindow.Fill(_stream, Buffer, ref _start, ref _end, count);
        if (read > 0) Advanced(read);
        return _end - _start;
    }

    /// <summary>Up to <paramref name="count"/> bytes at <see cref="Position"/>, fewer at the end of the stream.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        var n = Fill(count);
        return new ReadOnlySpan<byte>(Buffer, _start, Math.Min(n, count));
    }

    /// <summary>True when no byte is left.</summary>
    public bool AtEnd => Fill(1) == 0;

    /// <summary>Consumes <paramref name="count"/> buffered bytes.</summary>
    public void Advance(int count)
    {
        if (count < 0 || count > _end - _start) throw new ArgumentOutOfRangeException(nameof(count));
        _start += count;
    }

    public byte ReadByte(string field)
    {
        var at = Position;
        if (Fill(1) < 1) throw Truncated(at, field, 0, 1);
        return Buffer[_start++];
    }

    public ushort ReadBe16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    public uint ReadBe32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    public ulong ReadBe64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

    /// <summary>Reads <paramref name="length"/> bytes (at most 255) as ASCII, for names.</summary>
    public string ReadAscii(int length, string field)
    {
        var bytes = Take(length, field);
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, b) =>
        {
            for (var i = 0; i < b.Length; i++) chars[i] = b[i] is >= 0x20 and < 0x7F ? (char)b[i] : '?';
        });
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes; 0 only at the end of the stream.</summary>
    public int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        var buffered = _end - _start;
        if (buffered == 0 && destination.Length >= Buffer.Length)
        {
            var direct = _stream.Read(destination);
            Advanced(direct);
            return direct;
        }
        if (buffered == 0 && Fill(1) == 0) return 0;
        var n = Math.Min(destination.Length, _end - _start);
        Buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    /// <summary>Skips <paramref name="count"/> bytes, seeking when the source can; a source that is
    /// too short fails with the field's name.</summary>
    public void Skip(ulong count, string field)
    {
        var at = Position;
        var fromBuffer = (int)Math.Min((ulong)(_end - _start), count);
        _start += fromBuffer;
        var left = count - (ulong)fromBuffer;
        if (left == 0) return;

        if (_seekToSkip && StreamProbe.TryRemaining(_stream, out var available))
        {
            if ((ulong)available < left)
            {
                _stream.Seek(available, SeekOrigin.Current);
                Advanced(available);
                throw Truncated(at, field, count - left + (ulong)available, count);
            }
            _stream.Seek((long)left, SeekOrigin.Current);
            Advanced((long)left);
            return;
        }

        var buffer = Buffer;
        _start = _end = 0;
        while (left > 0)
        {
            var n = _stream.Read(buffer, 0, (int)Math.Min((ulong)buffer.Length, left));
            if (n == 0) throw Truncated(at, field, count - left, count);
            Advanced(n);
            left -= (ulong)n;
        }
    }

    /// <summary>Skips to the end of the stream; returns how many bytes were skipped.</summary>
    public long SkipToEnd()
    {
        long skipped = _end - _start;
        _start = _end;
        if (_seekToSkip && StreamProbe.TryRemaining(_stream, out var available))
        {
            _stream.Seek(available, SeekOrigin.Current);
            Advanced(available);
            return skipped + available;
        }
        var buffer = Buffer;
        _start = _end = 0;
        int n;
        while ((n = _stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            Advanced(n);
            skipped += n;
        }
        return skipped;
    }

    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        if (!_leaveOpen) _stream.Dispose();
    }

    private static MigrationStreamFormatException Truncated(long offset, string field, ulong present, ulong expected) =>
        MigrationStreamFormatException.Truncated(offset, -1, null, field, present, expected);

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        var at = Position;
        var n = Fill(count);
        if (n < count) throw Truncated(at, field, (ulong)n, (ulong)count);
        var span = new ReadOnlySpan<byte>(Buffer, _start, count);
        _start += count;
        return span;
    }

    private void Advanced(long bytes)
    {
        _bufferEndOffset += bytes;
        if (_bufferEndOffset < _nextProgress) return;
        _nextProgress = _bufferEndOffset + _progressInterval;
        _progress!.Report(_bufferEndOffset);
    }
}
