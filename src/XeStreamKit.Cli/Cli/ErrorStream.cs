using System.Text;

namespace XeStreamKit.Cli.Cli;

/// <summary>A write-only byte stream onto a text writer (stderr), for JSON when stdout carries data.</summary>
public sealed class ErrorStream(TextWriter writer) : Stream
{
    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(Encoding.UTF8.GetString(buffer));
    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    /// <inheritdoc/>
    public override void Flush() => writer.Flush();
    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
