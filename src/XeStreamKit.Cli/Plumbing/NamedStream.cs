namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// Passes every call through to another stream and rewords its I/O failures to name what the
/// user gave (<c>out.bin</c>, <c>stdout</c>) with the errno; counts the bytes written, so the
/// error handler knows whether stdout already holds output. Disposing it leaves a standard
/// stream open.
/// </summary>
public sealed class NamedStream(string name, Stream inner, bool ownsInner, bool isStdout = false) : Stream
{
    /// <summary>What the user named.</summary>
    public string Name { get; } = name;

    /// <summary>Bytes written through this stream.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True once a write or flush failed (the output is incomplete).</summary>
    public bool Failed { get; private set; }

    /// <inheritdoc/>
    public override bool CanRead => inner.CanRead;
    /// <inheritdoc/>
    public override bool CanSeek => inner.CanSeek;
    /// <inheritdoc/>
    public override bool CanWrite => inner.CanWrite;
    /// <inheritdoc/>
    public override long Length => Guard("read", () => inner.Length);
    /// <inheritdoc/>
    public override long Position { get => Guard("read", () => inner.Position); set => Guard("seek", () => inner.Position = value); }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e)
        {
            throw Reword("read", e);
        }
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => Guard("seek", () => inner.Seek(offset, origin));

    /// <inheritdoc/>
    public override void SetLength(long value) => Guard("write", () => inner.SetLength(value));

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
            BytesWritten += buffer.Length;
        }
        catch (Exception e)
        {
            Failed = true;
            throw Reword("write", e);
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        try
        {
            inner.Flush();
        }
        catch (Exception e)
        {
            Failed = true;
            throw Reword("write", e);
        }
    }

    private Exception Reword(string operation, Exception e)
    {
        var x = SystemErrors.For(Name, operation, e);
        return x is ErrnoException { OnStdout: false } n && isStdout && operation == "write"
            ? new ErrnoException(n.Message, n.Errno, e) { OnStdout = true }
            : x;
    }

    private T Guard<T>(string operation, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            throw Reword(operation, e);
        }
    }

    private void Guard(string operation, Action body) => Guard(operation, () => { body(); return 0; });

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner) inner.Dispose();
        base.Dispose(disposing);
    }
}
