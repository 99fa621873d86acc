namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// The one way a command opens an output the user named (<c>-o</c>, <c>--keep</c>,
/// <c>--junit</c>, ...):
/// <list type="bullet">
/// <item>a new or regular file is written under a temporary name in the same directory and
/// renamed over it only on <see cref="Commit"/>: readers never see a partial file, a failure
/// leaves the previous one untouched, and the temporary file is removed on every exit path
/// (signals included, <see cref="TempFiles"/>);</item>
/// <item>a symbolic link is followed: its final target is replaced that way, the link stays;
/// a loop is an error (ELOOP);</item>
/// <item>a character device or a FIFO (<c>/dev/null</c>, a named pipe with a reader) is written
/// through, never replaced; a directory, a block device or a socket is refused;</item>
/// <item><c>-</c> is stdout where the command allows it.</item>
/// </list>
/// Data outputs (images, extracted or injected files) are also durable: flushed to disk
/// (<c>fsync</c>) before the rename, so after a crash the name holds the old file or the whole new
/// one. Derived pages (a report, a JUnit or HTML result) are opened with <c>durable: false</c>:
/// still atomic for every reader, but not synced, because they can be made again and the
/// <c>fsync</c> cost more than the page (1.5-7 ms on this project's ext4 VM against a 19 ms
/// <c>xsk validate</c> of a 2 GiB image; bench/README.md).
/// Errors name the user's path, never the temporary name.
/// </summary>
public sealed class OutputFile : IDisposable
{
    /// <summary>Links followed before giving up, as the kernel's MAXSYMLINKS.</summary>
    private const int MaxLinks = 40;

    private readonly string? _final;
    private readonly string? _temp;
    private readonly IDisposable? _tracked;
    private readonly Stream _inner;
    private readonly bool _durable;
    private bool _committed;
    private bool _disposed;

    private OutputFile(string name, Stream inner, NamedStream stream, string? final = null, string? temp = null, bool durable = true)
    {
        _durable = durable;
        Name = name;
        _inner = inner;
        Stream = stream;
        _final = final;
        _temp = temp;
        if (temp is not null) _tracked = TempFiles.Track(temp);
    }

    /// <summary>What the user named, or <c>stdout</c>.</summary>
    public string Name { get; }

    /// <summary>True for <c>-</c>.</summary>
    public bool IsStdout => ReferenceEquals(_inner, Stream);

    /// <summary>The stream to write to; its failures name <see cref="Name"/>.</summary>
    public NamedStream Stream { get; }

    /// <summary>Opens <paramref name="path"/>, the value of <paramref name="option"/>. <c>-</c>
    /// means <paramref name="stdout"/>'s standard output when given, and is refused otherwise.</summary>
    /// <exception cref="UsageException">An empty path, <c>-</c> where stdout is not allowed, a
    /// directory, a block device or a socket.</exception>
    /// <exception cref="IOException">The file cannot be created (exit 4), with the errno.</exception>
    /// <param name="path">What the user named.</param>
    /// <param name="option">The option that named it, for messages.</param>
    /// <param name="stdout">Where <c>-</c> goes; null where <c>-</c> is not allowed.</param>
    /// <param name="durable">False for a page that can be made again: no <c>fsync</c> before the rename.</param>
    public static OutputFile Open(string path, string option, CliContext? stdout = null, bool durable = true)
    {
        if (string.IsNullOrEmpty(path)) throw new UsageException($"{option}: an empty path (name a file{(stdout is null ? "" : ", or - for stdout")})");
        if (path == "-")
        {
            if (stdout is null) throw new UsageException($"{option} -: this output must be a file (stdout is used for the report)");
            stdout.StdOutCarriesData = true;
            return new OutputFile("stdout", stdout.StdOut, stdout.StdOut);
        }
        var final = Resolve(path);
        var kind = FileKinds.Of(final);
        switch (kind)
        {
            case FileKind.Missing or FileKind.Regular:
                return Atomic(path, final, kind == FileKind.Regular, durable);
            case FileKind.CharDevice or FileKind.Fifo:
                try
                {
                    // O_WRONLY without O_TRUNC or O_CREAT: the device or pipe itself.
                    var through = new FileStream(final, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
                    return new OutputFile(path, through, new NamedStream(path, through, ownsInner: true));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw SystemErrors.For(path, null, e);
                }
            default:
                throw new UsageException($"{option}: {path} is {FileKinds.Describe(kind)}; xsk writes a file{(kind == FileKind.BlockDevice ? " and never writes over a disk" : "")}");
        }
    }

    /// <summary>The path <paramref name="path"/> finally names, following symbolic links.</summary>
    private static string Resolve(string path)
    {
        var current = Path.GetFullPath(path);
        for (var hops = 0; FileKinds.Of(current, followLinks: false) == FileKind.Symlink; hops++)
        {
            if (hops == MaxLinks) throw new ErrnoException($"{path}: {SystemErrors.Text(40)}", 40);
            var target = new FileInfo(current).LinkTarget ?? current;
            current = Path.GetFullPath(target, Path.GetDirectoryName(current) ?? "/");
        }
        return current;
    }

    private static OutputFile Atomic(string path, string final, bool exists, bool durable)
    {
        var dir = Path.GetDirectoryName(final) ?? "/";
        if (!Directory.Exists(dir))
            throw new ErrnoException($"{path}: directory {dir} does not exist", 2);
        var temp = Path.Combine(dir, $".{Path.GetFileName(final)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try
        {
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SystemErrors.For(path, $"cannot create a file in {dir}", e);
        }
        if (exists && !OperatingSystem.IsWindows())
        {
            // Keep the mode of the file being replaced (a rename would take the new file's).
            try
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(final));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return new OutputFile(path, stream, new NamedStream(path, stream, ownsInner: true), final, temp, durable);
    }

    /// <summary>Flushes; for a file, to disk (when durable), then renames it over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inner is FileStream file && _temp is not null)
        {
            try
            {
                file.Flush(flushToDisk: _durable);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw SystemErrors.For(Name, "write", e);
            }
        }
        else Stream.Flush();
        if (_temp is null) return;
        _inner.Dispose();
        try
        {
            File.Move(_temp, _final!, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SystemErrors.For(Name, "rename", e);
        }
        _committed = true;
        _tracked?.Dispose();
    }

    /// <summary>Discards the temporary file unless committed; closes a device or pipe.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_inner is not NamedStream) _inner.Dispose();
        if (_temp is not null && !_committed)
        {
            try
            {
                File.Delete(_temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        _tracked?.Dispose();
    }
}
