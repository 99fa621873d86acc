namespace XeStreamKit.IO;

/// <summary>
/// A stream that is read front to back and nothing else - a pipe, a device fd, a payload, a
/// stream made on the fly: derived classes implement <see cref="Read(Span{byte})"/> only (and may
/// report a <see cref="Length"/> or <see cref="Position"/>); seeking and writing are refused.
/// </summary>
public abstract class ForwardReadStream : Stream
{
    /// <inheritdoc/>
    public abstract override int Read(Span<byte> buffer);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush() { }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Reads <paramref name="source"/> and writes a copy of every byte read to <paramref name="copy"/>.</summary>
public sealed class TeeReadStream(Stream source, Stream copy) : ForwardReadStream
{
    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = source.Read(buffer);
        if (n > 0) copy.Write(buffer[..n]);
        return n;
    }

    /// <inheritdoc/>
    public override void Flush() => copy.Flush();
}

/// <summary>Reads another stream and hides that it can seek: a pipe, a socket or a device fd,
/// from which every byte must be read.</summary>
public sealed class ForwardOnlyStream(Stream inner) : ForwardReadStream
{
    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
