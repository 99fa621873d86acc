using System.Globalization;
using System.Text;
using XeStreamKit.Devices.Posix;

namespace XeStreamKit.Devices.Debugfs;

/// <summary>
/// One VF through the xe PF debugfs files in <c>/sys/kernel/debug/dri/&lt;BDF&gt;/sriov/vfN/</c>
/// (docs/driver.md#debugfs):
/// <code>
///   pause, resume, stop, reset   write "1" (at position 0 of a fresh open) triggers the action
///   save, restore                write "1" triggers; a read finishes and returns its error
///   migration_data               the stream: read while saving, write while restoring
///   migration_size               the STOP_COPY estimate, decimal + "\n"
/// </code>
/// Save: <c>pause</c>, <c>save</c> ← "1", read <c>migration_data</c> to EOF, read <c>save</c>.
/// Restore: <c>pause</c>, <c>restore</c> ← "1", write <c>migration_data</c>, read <c>restore</c>,
/// <c>resume</c>. All I/O is plain libc open/read/write (errno exact; see <see cref="FdStream"/>).
/// </summary>
public sealed class DebugfsMigrationDevice : IMigrationDevice, IResettable
{
    /// <summary>The files of a VF directory.</summary>
    public static class Files
    {
        /// <summary>Write "1": pause the VF.</summary>
        public const string Pause = "pause";
        /// <summary>Write "1": resume the VF.</summary>
        public const string Resume = "resume";
        /// <summary>Write "1": stop the VF.</summary>
        public const string Stop = "stop";
        /// <summary>Write "1": reset the VF (FLR).</summary>
        public const string Reset = "reset";
        /// <summary>Write "1": start a save; read: finish it.</summary>
        public const string Save = "save";
        /// <summary>Write "1": start a restore; read: finish it.</summary>
        public const string Restore = "restore";
        /// <summary>The migration stream.</summary>
        public const string MigrationData = "migration_data";
        /// <summary>The size estimate.</summary>
        public const string MigrationSize = "migration_size";
    }

    private static readonly byte[] True = "1"u8.ToArray();
    private readonly IFileSyscalls _files;
    private FdStream? _data;
    private bool _disposed;

    /// <summary>The VF directory <paramref name="vfDirectory"/> (e.g.
    /// <c>/sys/kernel/debug/dri/0000:03:00.0/sriov/vf1</c>).</summary>
    /// <exception cref="DeviceException">The directory cannot be listed, or has no <c>migration_data</c>.</exception>
    public DebugfsMigrationDevice(string vfDirectory, string? description = null)
        : this(vfDirectory, description, LinuxFileSyscalls.Instance)
    {
    }

    internal DebugfsMigrationDevice(string vfDirectory, string? description, IFileSyscalls files)
    {
        ArgumentException.ThrowIfNullOrEmpty(vfDirectory);
        ArgumentNullException.ThrowIfNull(files);
        Directory = Path.TrimEndingDirectorySeparator(vfDirectory);
        Description = description ?? "debugfs:" + Directory;
        _files = files;
        // .NET reports a file where a directory is expected as "not found"; say ENOTDIR.
        if (File.Exists(Directory))
            throw new DeviceException($"listing of {Directory}", (int)Errno.ENOTDIR);
        string[] entries;
        try
        {
            entries = System.IO.Directory.GetFileSystemEntries(Directory);
        }
        catch (Exception e) when (IoErrno.ToDeviceException($"listing of {Directory}", e) is { } device)
        {
            throw device;
        }
        if (!entries.Any(e => Path.GetFileName(e) == Files.MigrationData))
            throw new DeviceException($"open of {PathOf(Files.MigrationData)}", (int)Errno.ENOENT,
                "not an xe PF debugfs VF directory (sriov/vfN of a kernel with VF migration)");
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The VF directory.</summary>
    public string Directory { get; }

    /// <summary>Reads <c>migration_size</c>; null when the kernel has no such file.</summary>
    public long? EstimateSize()
    {
        ThrowIfDisposed();
        var path = PathOf(Files.MigrationSize);
        var fd = _files.Open(path, FileAccessMode.Read);
        if (fd == -(int)Errno.ENOENT) return null;
        if (fd < 0) throw new DeviceException($"open of {path}", -fd);
        string text;
        using (var stream = new FdStream(_files, fd, FileAccessMode.Read, path))
        {
            var buffer = new byte[64];
            var n = stream.Read(buffer);
            // Anything longer than 64 bytes is not a size either; do not read on forever.
            text = Encoding.ASCII.GetString(buffer, 0, n);
        }
        var digits = text.EndsWith('\n') ? text[..^1] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new DeviceException($"read of {path}", (int)Errno.EPROTO,
                $"expected a decimal size and a newline, found \"{text.ReplaceLineEndings("\\n")}\"");
        return size;
    }

    /// <summary>Writes "1" to <c>pause</c>.</summary>
    public void Pause() => Trigger(Files.Pause);

    /// <summary>Writes "1" to <c>resume</c>.</summary>
    public void Resume()
    {
        CloseData();
        Trigger(Files.Resume);
    }

    /// <summary>Writes "1" to <c>stop</c> (not part of a migration; for recovery).</summary>
    public void Stop()
    {
        CloseData();
        Trigger(Files.Stop);
    }

    /// <summary>Writes "1" to <c>reset</c> (not part of a migration; for recovery).</summary>
    public void Reset()
    {
        // An FLR ends any save or restore on the PF side; drop our end of migration_data first.
        CloseData();
        Trigger(Files.Reset);
    }

    /// <summary>Writes "1" to <c>save</c> (the VF must be paused: EPERM otherwise) and opens
    /// <c>migration_data</c> for reading.</summary>
    public Stream BeginSave() => BeginSession(Files.Save, FileAccessMode.Read);

    /// <summary>Closes <c>migration_data</c> and reads <c>save</c>, which finishes the save and
    /// fails with its error (EIO while the save is still in progress or failed).</summary>
    public void FinishSave()
    {
        CloseData();
        Finish(Files.Save);
    }

    /// <summary>Writes "1" to <c>restore</c> and opens <c>migration_data</c> for writing.</summary>
    public Stream BeginRestore() => BeginSession(Files.Restore, FileAccessMode.Write);

    /// <summary>Closes <c>migration_data</c> and reads <c>restore</c>, which waits for the restore
    /// to finish and fails with its error (EIO, ETIMEDOUT).</summary>
    public void FinishRestore()
    {
        CloseData();
        Finish(Files.Restore);
    }

    /// <summary>Closes <c>migration_data</c> if open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CloseData();
    }

    private string PathOf(string file) => Path.Join(Directory, file);

    private Stream BeginSession(string trigger, FileAccessMode mode)
    {
        ThrowIfDisposed();
        if (_data is not null)
            throw new InvalidOperationException("A save or restore is already in progress: finish it first.");
        Trigger(trigger);
        var path = PathOf(Files.MigrationData);
        var fd = _files.Open(path, mode);
        if (fd < 0) throw new DeviceException($"open of {path}", -fd);
        _data = new FdStream(_files, fd, mode, path);
        return _data;
    }

    /// <summary>One write of "1" at position 0 of a fresh open: the control files refuse any other
    /// position (EINVAL) and act once per write.</summary>
    private void Trigger(string file)
    {
        ThrowIfDisposed();
        var path = PathOf(file);
        var fd = _files.Open(path, FileAccessMode.Write);
        if (fd < 0) throw new DeviceException($"open of {path}", -fd);
        try
        {
            int n;
            do n = _files.Write(fd, True);
            while (n == -(int)Errno.EINTR);
            if (n < 0) throw new DeviceException($"write of \"1\" to {path}", -n);
            if (n != True.Length)
                throw new DeviceException($"write of \"1\" to {path}", (int)Errno.EIO, $"write() accepted {n} of {True.Length} bytes");
        }
        finally
        {
            _files.Close(fd);
        }
    }

    /// <summary>Reads <paramref name="file"/> to EOF: the read runs the finish step, and the
    /// kernel returns its error from read() (the file has no content).</summary>
    private void Finish(string file)
    {
        ThrowIfDisposed();
        var path = PathOf(file);
        var fd = _files.Open(path, FileAccessMode.Read);
        if (fd < 0) throw new DeviceException($"open of {path}", -fd);
        using var stream = new FdStream(_files, fd, FileAccessMode.Read, path);
        var sink = new byte[64];
        while (stream.Read(sink) > 0) { }
    }

    private void CloseData()
    {
        _data?.Dispose();
        _data = null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
