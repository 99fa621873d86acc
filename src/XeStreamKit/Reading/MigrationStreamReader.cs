using System.Buffers;
using XeStreamKit.Format;
using XeStreamKit.Framing;
using XeStreamKit.IO;

namespace XeStreamKit.Reading;

/// <summary>
/// Forward-only reader of a migration stream over any <see cref="Stream"/> (file, pipe, stdin,
/// a VFIO data fd). Yields packets with their header, index and absolute offset; the payload of
/// the current packet is read into a caller buffer, handed out chunk by chunk, copied to a
/// stream, or skipped - never materialised whole. Framing is the <see cref="PacketFramer"/>'s
/// (the driver model's too): this class pulls bytes and feeds it. Works for any read chunking of the source
/// down to one byte; memory is one buffer of <see cref="MigrationStreamReaderOptions.BufferSize"/>
/// whatever the payload sizes (a header claiming 2^62 bytes allocates nothing).
/// </summary>
/// <remarks>
/// <code>
///  offset 0        1      2        3      4        8         16       24
///         +--------+------+--------+------+--------+---------+--------+----------------+
///         |version | type |tile_id |gt_id | flags  | offset  | size   | payload (size) |
///         +--------+------+--------+------+--------+---------+--------+----------------+
/// </code>
/// (layout from spec/xe_sriov_migration.ksy; the code uses the generated <see cref="PacketHeader"/>.)
/// Bad data raises <see cref="MigrationStreamFormatException"/>; after one, the reader is at its end.
/// </remarks>
public sealed partial class MigrationStreamReader : IDisposable
{
    private readonly Stream _stream;
    private readonly MigrationStreamReaderOptions _options;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private long _bufferEndOffset;
    private long _nextIndex;
    private MigrationPacket _current;
    private bool _hasCurrent;
    private PacketFramer _framer;
    private bool _finished;
    private long _nextProgress;

    /// <summary>Reads packets from <paramref name="stream"/>, starting at its current position.</summary>
    public MigrationStreamReader(Stream stream, MigrationStreamReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        _options = options ?? new MigrationStreamReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BufferSize, 64, nameof(options));
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        _bufferEndOffset = _options.StartOffset;
        _framer = new PacketFramer(_options.StartOffset);
        _nextProgress = _options.Progress is null ? long.MaxValue : _bufferEndOffset + _options.ProgressInterval;
    }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position => _bufferEndOffset - (_end - _start);

    /// <summary>Number of packets whose header has been read.</summary>
    public long PacketCount => _nextIndex;

    /// <summary>True once the end of the stream (or a format error) was reached.</summary>
    public bool IsFinished => _finished;

    /// <summary>The packet most recently returned by <see cref="ReadNextPacket"/>.</summary>
    public MigrationPacket Current => _hasCurrent ? _current : throw new InvalidOperationException("There is no current packet: call ReadNextPacket first.");

    /// <summary>Payload bytes of the current packet not yet read or skipped.</summary>
    public ulong PayloadRemaining => _hasCurrent ? _framer.PayloadRemaining : 0;

    /// <summary>Moves to the next packet, skipping whatever is left of the current payload.
    /// Returns false at a clean end of stream (on a packet boundary).</summary>
    /// <exception cref="MigrationStreamFormatException">The stream ends inside a header or payload,
    /// or a header breaks the spec.</exception>
    public bool ReadNextPacket()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_finished) return false;
        if (_hasCurrent && _framer.PayloadRemaining > 0) SkipPayload();
        _hasCurrent = false;

        var available = Fill(Packet.HeaderSize);
        if (available == 0)
        {
            _finished = true;
            return false;
        }
        // A whole header when the stream has one (Fill keeps it contiguous), else the partial
        // header the framer reports as cut.
        if (!_framer.Next(_buffer.AsSpan(_start, Math.Min(available, Packet.HeaderSize))).HeaderComplete)
            throw Fail(_framer.Cut!.Value.ToException());

        // Framed above; the header handed out is decoded from the same 24 bytes into a local (reading
        // it back from the framer costs a copy per packet).
        var header = PacketHeader.Read(_buffer.AsSpan(_start, Packet.HeaderSize));
        var headerOffset = _framer.PacketOffset;
        if (_options.RequireValidHeaders && header.Version != PacketHeader.ValidValues.Version)
            throw Fail(new MigrationStreamFormatException(headerOffset + PacketHeader.FieldOffsets.Version, _nextIndex, header.Type,
                MigrationPacket.HeaderField(PacketHeader.FieldIds.Version),
                $"must be {PacketHeader.ValidValues.Version}, found {header.Version}"));

        _start += Packet.HeaderSize;
        _current = new MigrationPacket(header, _nextIndex++, headerOffset);
        _hasCurrent = true;
        return true;
    }

    /// <summary>Reads every packet; the payload of each can be consumed before moving on.</summary>
    public IEnumerable<MigrationPacket> ReadPackets()
    {
        while (ReadNextPacket()) yield return _current;
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length payload bytes of the current
    /// packet; returns 0 once the payload is exhausted.</summary>
    public int ReadPayload(Span<byte> destination)
    {
        EnsurePacket();
        var remaining = _framer.PayloadRemaining;
        if (remaining == 0 || destination.IsEmpty) return 0;
        var want = (int)Math.Min((ulong)destination.Length, remaining);
        if (_end == _start && want >= _buffer!.Length)
        {
            // Large read with nothing buffered: straight into the caller's memory.
            var n = _stream.Read(destination[..want]);
            if (n == 0) throw PayloadTruncated();
            Advanced(n);
            _framer.Next(destination[..n]);
            return n;
        }
        var chunk = ReadPayloadChunk(want);
        chunk.CopyTo(destination);
        return chunk.Length;
    }

    /// <summary>Fills <paramref name="destination"/> from the payload.</summary>
    /// <exception cref="ArgumentException">The payload has fewer bytes left than requested.</exception>
    public void ReadPayloadExactly(Span<byte> destination)
    {
        EnsurePacket();
        if ((ulong)destination.Length > _framer.PayloadRemaining)
            throw new ArgumentException($"Only {_framer.PayloadRemaining} payload bytes remain, {destination.Length} requested.", nameof(destination));
        while (!destination.IsEmpty) destination = destination[ReadPayload(destination)..];
    }

    /// <summary>
    /// Hands out the next payload bytes without copying: a view of the reader's buffer that is
    /// valid until the next call on the reader. Empty once the payload is exhausted.
    /// </summary>
    public ReadOnlySpan<byte> ReadPayloadChunk(int maxLength = int.MaxValue)
    {
        EnsurePacket();
        var remaining = _framer.PayloadRemaining;
        if (remaining == 0 || maxLength <= 0) return default;
        if (_end == _start)
        {
            _start = _end = 0;
            var toRead = (int)Math.Min((ulong)_buffer!.Length, remaining);
            var n = _stream.Read(_buffer, 0, toRead);
            if (n == 0) throw PayloadTruncated();
            _end = n;
            Advanced(n);
        }
        var data = new ReadOnlySpan<byte>(_buffer, _start, Math.Min(_end - _start, maxLength));
        var step = _framer.Next(data);
        _start += step.Consumed;
        return data[..step.Consumed];
    }

    /// <summary>Copies the rest of the payload to <paramref name="destination"/>.</summary>
    public void CopyPayloadTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        for (var chunk = ReadPayloadChunk(); !chunk.IsEmpty; chunk = ReadPayloadChunk())
            destination.Write(chunk);
    }

    /// <summary>A read-only stream over the rest of the current payload, valid until the next packet.</summary>
    public Stream OpenPayload()
    {
        EnsurePacket();
        return new PayloadStream(this, _current.Index);
    }

    /// <summary>Skips the rest of the current payload: by seeking when the source can, otherwise
    /// by reading and discarding. A seekable source that is too short fails at once.</summary>
    public void SkipPayload()
    {
        EnsurePacket();
        if (_framer.PayloadRemaining == 0) return;
        _start += _framer.Next(_buffer.AsSpan(_start, _end - _start)).Consumed;
        var remaining = _framer.PayloadRemaining;
        if (remaining == 0) return;

        if (_options.SeekToSkip && PayloadSkip.TrySeek(_stream, remaining, out var skipped))
        {
            _framer.Skip(skipped);
            if (skipped < remaining)
            {
                _bufferEndOffset += (long)skipped;
                throw PayloadTruncated();
            }
            Advanced((long)skipped);
            return;
        }

        _start = _end = 0;
        while (_framer.PayloadRemaining > 0)
        {
            var n = _stream.Read(_buffer!, 0, (int)Math.Min((ulong)_buffer!.Length, _framer.PayloadRemaining));
            if (n == 0) throw PayloadTruncated();
            Advanced(n);
            _framer.Next(_buffer.AsSpan(0, n));
        }
    }

    /// <summary>Returns the buffer to the pool and closes the stream unless told to leave it open.</summary>
    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        if (!_options.LeaveOpen) _stream.Dispose();
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from <c>_start</c> unless the
    /// stream ends first; returns how many are available.</summary>
    private int Fill(int count)
    {
        var read = ReadWindow.Fill(_stream, _buffer!, ref _start, ref _end, count);
        if (read > 0) Advanced(read);
        return _end - _start;
    }

    private void Advanced(long bytes)
    {
        _bufferEndOffset += bytes;
        if (_bufferEndOffset < _nextProgress) return;
        _nextProgress = _bufferEndOffset + _options.ProgressInterval;
        _options.Progress!.Report(_bufferEndOffset);
    }

    private void EnsurePacket()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (!_hasCurrent) throw new InvalidOperationException("There is no current packet: call ReadNextPacket first.");
    }

    internal void EnsureCurrent(long index)
    {
        EnsurePacket();
        if (_current.Index != index) throw new InvalidOperationException($"Packet #{index}'s payload is no longer current.");
    }

    private MigrationStreamFormatException PayloadTruncated() => Fail(_framer.Cut!.Value.ToException());

    private MigrationStreamFormatException Fail(MigrationStreamFormatException e)
    {
        _finished = true;
        _hasCurrent = false;
        _framer.Abandon();
        return e;
    }
}
