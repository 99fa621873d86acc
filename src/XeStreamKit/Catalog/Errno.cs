namespace XeStreamKit.Catalog;

/// <summary>The Linux errno values the xe driver, the VFIO core and the PF debugfs report on the
/// migration paths (asm-generic/errno-base.h, asm-generic/errno.h, linux/errno.h).</summary>
public enum Errno
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,
    /// <summary>No such file or directory (no GGTT node provisioned).</summary>
    ENOENT = 2,
    /// <summary>Interrupted system call.</summary>
    EINTR = 4,
    /// <summary>I/O error (GT in a failed state, finish of a failed restore).</summary>
    EIO = 5,
    /// <summary>No such device or address (no LMEM object).</summary>
    ENXIO = 6,
    /// <summary>Bad file descriptor (I/O on a file not opened for it).</summary>
    EBADF = 9,
    /// <summary>Try again.</summary>
    EAGAIN = 11,
    /// <summary>Out of memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied (debugfs or a VFIO node opened without the rights).</summary>
    EACCES = 13,
    /// <summary>Bad address.</summary>
    EFAULT = 14,
    /// <summary>Device or resource busy.</summary>
    EBUSY = 16,
    /// <summary>No such device (descriptor devid/revid mismatch).</summary>
    ENODEV = 19,
    /// <summary>Not a directory (a debugfs VF path that is a file).</summary>
    ENOTDIR = 20,
    /// <summary>Is a directory.</summary>
    EISDIR = 21,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Inappropriate ioctl for device.</summary>
    ENOTTY = 25,
    /// <summary>No space left on device.</summary>
    ENOSPC = 28,
    /// <summary>Illegal seek (positioned I/O on a stream file).</summary>
    ESPIPE = 29,
    /// <summary>Broken pipe (the reader of a pipe went away).</summary>
    EPIPE = 32,
    /// <summary>File name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary>No data available (truncated KLVs in newer kernels, GuC returned nothing).</summary>
    ENODATA = 61,
    /// <summary>Timer expired (VRAM copy fence timeout).</summary>
    ETIME = 62,
    /// <summary>Package not installed (migration unsupported).</summary>
    ENOPKG = 65,
    /// <summary>Protocol error (GuC returned more than it was given).</summary>
    EPROTO = 71,
    /// <summary>Value too large for defined data type.</summary>
    EOVERFLOW = 75,
    /// <summary>Operation not supported (a VFIO device without STOP_COPY).</summary>
    EOPNOTSUPP = 95,
    /// <summary>No buffer space available (no GuC buffer).</summary>
    ENOBUFS = 105,
    /// <summary>Connection timed out (restore did not finish in time).</summary>
    ETIMEDOUT = 110,
    /// <summary>Operation already in progress.</summary>
    EALREADY = 114,
    /// <summary>Stale file handle (pause of a paused VF, stop of a stopped one).</summary>
    ESTALE = 116,
    /// <summary>Kernel-internal: a signal interrupted a sleep (seen only as an interrupted write).</summary>
    ERESTARTSYS = 512,
}

/// <summary>Names and values of <see cref="Errno"/> as user space sees them.</summary>
public static class ErrnoText
{
    /// <summary>The symbolic name (<c>ENODEV</c>), or <c>errno N</c> for a value not in the table.</summary>
    public static string Name(int errno) =>
        Enum.IsDefined(typeof(Errno), Math.Abs(errno)) ? ((Errno)Math.Abs(errno)).ToString() : $"errno {Math.Abs(errno)}";

    /// <summary>The symbolic name of <paramref name="errno"/>.</summary>
    public static string Name(Errno errno) => Name((int)errno);

    /// <summary>The negative value the kernel returns (-19 for ENODEV).</summary>
    public static int KernelValue(Errno errno) => -(int)errno;
}
