namespace XeStreamKit.Cli.Cli;

/// <summary>A read-only stream that copies every byte read from <paramref name="source"/> to
/// <paramref name="copy"/>: one pass both checks and moves the data.</summary>
public sealed class TeeStream(Stream source, Stream copy) : Stream
{
    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = source.Read(buffer);
        if (n > 0) copy.Write(buffer[..n]);
        return n;
    }

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
    public override void Flush() => copy.Flush();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
