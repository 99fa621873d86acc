using XeStreamKit.IO;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// The one way a command opens an input the user named: a file, a character device or FIFO, or
/// <c>-</c> for stdin. Only a regular file is seekable: a device such as <c>/dev/zero</c> looks
/// seekable to .NET (with length 0), and is read byte by byte like a pipe instead. Failures
/// name the user's path and the errno.
/// </summary>
public static class Inputs
{
    /// <summary>Opens <paramref name="path"/> for sequential reading, unbuffered (the reader buffers).</summary>
    /// <exception cref="UsageException">An empty path, or what looks like an unknown option.</exception>
    /// <exception cref="IOException">It cannot be opened (exit 4).</exception>
    public static Stream Open(string path, Stream stdin)
    {
        if (path == "-") return stdin;
        if (string.IsNullOrEmpty(path)) throw new UsageException("an empty path (name a file, or - for stdin)");
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing && path.StartsWith('-'))
            throw new UsageException($"{path}: unknown option (for a file of that name, write ./{path})");
        if (kind == FileKind.Directory) throw new ErrnoException($"{path}: {SystemErrors.Text(21)}", 21);
        if (kind == FileKind.Socket) throw new UsageException($"{path} is a socket; xsk reads files, devices, FIFOs and stdin");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0,
                kind == FileKind.Regular ? FileOptions.SequentialScan : FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SystemErrors.For(path, null, e);
        }
        Stream stream = kind == FileKind.Regular || kind == FileKind.Missing ? file : new ForwardOnlyStream(file);
        return new NamedStream(path, stream, ownsInner: true);
    }

    /// <summary>The length of <paramref name="stream"/> when it is a regular file, for progress.</summary>
    public static long? KnownLength(Stream stream)
    {
        try
        {
            return stream.CanSeek ? stream.Length : null;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            return null;
        }
    }
}
