namespace XeStreamKit.Cli.Cli;

/// <summary>
/// An output file written under a temporary name in the same directory and renamed over the
/// target only on <see cref="Commit"/>: readers never see a partial image, and a failed run
/// leaves the previous file (if any) untouched.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _target;
    private readonly string _temp;
    private FileStream? _stream;
    private bool _committed;

    private AtomicFile(string target)
    {
        _target = Path.GetFullPath(target);
        var dir = Path.GetDirectoryName(_target) ?? ".";
        if (!Directory.Exists(dir)) throw new IOException($"{target}: directory {dir} does not exist");
        _temp = Path.Combine(dir, $".{Path.GetFileName(_target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
    }

    /// <summary>Starts writing <paramref name="target"/>.</summary>
    public static AtomicFile Create(string target) => new(target);

    /// <summary>The stream to write to.</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));

    /// <summary>Flushes to disk and renames the temporary file over the target.</summary>
    public void Commit()
    {
        var s = _stream ?? throw new ObjectDisposedException(nameof(AtomicFile));
        s.Flush(flushToDisk: true);
        s.Dispose();
        _stream = null;
        File.Move(_temp, _target, overwrite: true);
        _committed = true;
    }

    /// <summary>Discards the temporary file unless committed.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed && File.Exists(_temp)) File.Delete(_temp);
    }
}
