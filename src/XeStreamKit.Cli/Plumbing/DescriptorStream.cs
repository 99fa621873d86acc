using System.Runtime.InteropServices;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// A standard descriptor read or written with read(2)/write(2), so the descriptor's shared file
/// offset advances as the shell expects: a <see cref="FileStream"/> on a regular-file stdout
/// writes with pwrite at an offset of its own, and <c>{ xsk ...; echo done; } &gt; log</c> would
/// overwrite xsk's output. Failures carry the errno (EPIPE, ENOSPC, EBADF, EIO).
/// </summary>
public sealed unsafe partial class DescriptorStream(int fd, string name, bool write) : Stream
{
    private const int EIntr = 4;
    private const int EAgain = 11;

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    /// <inheritdoc/>
    public override bool CanRead => !write;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => write;
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
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Read(fd, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno == EAgain)
                {
                    Thread.Sleep(1);
                    continue;
                }
                throw new ErrnoException($"{name}: read: {SystemErrors.Text(errno)}", errno);
            }
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var p = start;
            var left = buffer.Length;
            while (left > 0)
            {
                var n = Write(fd, p, (nuint)left);
                if (n >= 0)
                {
                    p += n;
                    left -= (int)n;
                    continue;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno == EAgain)
                {
                    Thread.Sleep(1);
                    continue;
                }
                throw new ErrnoException($"{name}: write: {SystemErrors.Text(errno)}", errno) { OnStdout = name == "stdout" };
            }
        }
    }
}
