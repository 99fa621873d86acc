namespace XeStreamKit.Devices.Posix;

/// <summary>
/// A forward-only stream over one file descriptor: a VFIO migration data fd or the debugfs
/// <c>migration_data</c> file. Plain <c>read()</c>/<c>write()</c> at the file's own position,
/// never <c>pread</c>/<c>pwrite</c> or <c>lseek</c>: the VFIO data fd is a stream file
/// (<c>stream_open</c>) that answers positioned I/O with ESPIPE, and debugfs
/// <c>migration_data</c> answers ESPIPE to any non-zero position.
/// </summary>
/// <remarks>
/// Reads fill the caller's buffer unless the end of the file comes first (the xe driver's read
/// does that already; a pipe does not), and return 0 from then on. Writes loop over short
/// counts. EINTR is retried. A failed call raises <see cref="DeviceException"/> naming the
/// stream and the offset; bytes read before a failure are returned first and the failure is
/// raised by the next read.
/// </remarks>
internal sealed class FdStream : Stream
{
    private readonly IFileDescriptorIo _io;
    private readonly string _name;
    private readonly bool _readable;
    private int _fd;
    private long _offset;
    private bool _endOfFile;
    private int _deferredErrno;

    /// <summary>Takes ownership of <paramref name="fd"/>; <paramref name="name"/> names it in errors
    /// (e.g. a path, or <c>VFIO data fd (STOP_COPY)</c>).</summary>
    public FdStream(IFileDescriptorIo io, int fd, FileAccessMode mode, string name)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        _io = io;
        _fd = fd;
        _readable = mode == FileAccessMode.Read;
        _name = name;
    }

    /// <summary>Bytes read or written so far.</summary>
    public long BytesTransferred => _offset;

    /// <summary>The descriptor, or -1 once disposed.</summary>
    public int Fd => _fd;

    public override bool CanRead => _fd >= 0 && _readable;
    public override bool CanWrite => _fd >= 0 && !_readable;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException($"{_name} is a stream: it has no length.");
    public override long Position
    {
        get => throw new NotSupportedException($"{_name} is a stream: it has no position.");
        set => throw new NotSupportedException($"{_name} is a stream: it cannot seek.");
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException($"{_name} is a stream: it cannot seek.");
    public override void SetLength(long value) => throw new NotSupportedException($"{_name} is a stream: it has no length.");
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        EnsureOpen(readable: true);
        if (buffer.IsEmpty) return 0;
        if (_deferredErrno != 0)
        {
            var errno = _deferredErrno;
            _deferredErrno = 0;
            throw ReadFailed(errno);
        }
        var total = 0;
        while (total < buffer.Length && !_endOfFile)
        {
            var n = _io.Read(_fd, buffer[total..]);
            if (n == -(int)Errno.EINTR) continue;
            if (n < 0)
            {
                if (total == 0) throw ReadFailed(-n);
                _deferredErrno = -n;
                break;
            }
            if (n == 0) _endOfFile = true;
            total += n;
            _offset += n;
        }
        return total;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureOpen(readable: false);
        while (!buffer.IsEmpty)
        {
            var n = _io.Write(_fd, buffer);
            if (n == -(int)Errno.EINTR) continue;
            if (n < 0) throw new DeviceException($"write of {_name} at offset {_offset}", -n);
            if (n == 0)
                throw new DeviceException($"write of {_name} at offset {_offset}", (int)Errno.EIO,
                    $"write() accepted none of {buffer.Length} bytes");
            buffer = buffer[n..];
            _offset += n;
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    protected override void Dispose(bool disposing)
    {
        // close() always releases the descriptor on Linux, and the release handlers of these
        // files (xe-vfio-pci's migration file, debugfs) report nothing: its result is not news.
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) _io.Close(fd);
        base.Dispose(disposing);
    }

    private DeviceException ReadFailed(int errno) => new($"read of {_name} at offset {_offset}", errno);

    private void EnsureOpen(bool readable)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (readable != _readable)
            throw new NotSupportedException($"{_name} is open for {(_readable ? "reading" : "writing")} only.");
    }
}
