namespace XeStreamKit.Devices.Posix;

/// <summary>
/// read/write/close on file descriptors, with the kernel's return convention: a count or 0 on
/// success, <c>-errno</c> on failure (no exceptions). The seam between the device logic (retry
/// on EINTR, short counts, EOF, error reporting) and the system calls, so that tests can play
/// the kernel.
/// </summary>
internal interface IFileDescriptorIo
{
    /// <summary><c>read(fd, buffer, len)</c>: bytes read, 0 at end of file, or -errno.</summary>
    int Read(int fd, Span<byte> buffer);

    /// <summary><c>write(fd, buffer, len)</c>: bytes written (possibly fewer), or -errno.</summary>
    int Write(int fd, ReadOnlySpan<byte> buffer);

    /// <summary><c>close(fd)</c>: 0 or -errno.</summary>
    int Close(int fd);
}

/// <summary>How a file is opened (the access mode of <c>open(2)</c>).</summary>
internal enum FileAccessMode
{
    /// <summary>O_RDONLY.</summary>
    Read,
    /// <summary>O_WRONLY.</summary>
    Write,
}

/// <summary><see cref="IFileDescriptorIo"/> plus <c>open(2)</c> by path: what the debugfs
/// backend needs.</summary>
internal interface IFileSyscalls : IFileDescriptorIo
{
    /// <summary><c>open(path, mode | O_CLOEXEC)</c>: a file descriptor, or -errno.</summary>
    int Open(string path, FileAccessMode mode);
}
