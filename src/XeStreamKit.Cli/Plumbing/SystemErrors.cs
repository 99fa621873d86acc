using XeStreamKit.Devices;
using XeStreamKit.Devices.Posix;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// Turns the exceptions .NET raises for failed system calls into one line that names the user's
/// path (or <c>stdin</c>/<c>stdout</c>) and the errno, never .NET's own text (which names hidden
/// temporary files, quotes paths oddly and varies with the runtime's language).
/// </summary>
public static class SystemErrors
{
    // uapi/asm-generic/errno-base.h and errno.h: the values Linux uses on x86-64 and arm64.
    private static readonly Dictionary<int, (string Name, string Text)> Table = new()
    {
        [1] = ("EPERM", "operation not permitted"),
        [2] = ("ENOENT", "no such file or directory"),
        [4] = ("EINTR", "interrupted"),
        [5] = ("EIO", "input/output error"),
        [6] = ("ENXIO", "no such device or address"),
        [9] = ("EBADF", "not open (a closed descriptor)"),
        [11] = ("EAGAIN", "resource temporarily unavailable"),
        [12] = ("ENOMEM", "out of memory"),
        [13] = ("EACCES", "permission denied"),
        [16] = ("EBUSY", "device or resource busy"),
        [17] = ("EEXIST", "already exists"),
        [18] = ("EXDEV", "on another file system"),
        [19] = ("ENODEV", "no such device"),
        [20] = ("ENOTDIR", "a path component is not a directory"),
        [21] = ("EISDIR", "is a directory"),
        [22] = ("EINVAL", "invalid argument"),
        [23] = ("ENFILE", "too many open files in the system"),
        [24] = ("EMFILE", "too many open files"),
        [26] = ("ETXTBSY", "text file busy"),
        [27] = ("EFBIG", "file too large"),
        [28] = ("ENOSPC", "no space left on device"),
        [29] = ("ESPIPE", "not seekable"),
        [30] = ("EROFS", "read-only file system"),
        [32] = ("EPIPE", "broken pipe: the reader went away"),
        [36] = ("ENAMETOOLONG", "file name too long"),
        [40] = ("ELOOP", "too many levels of symbolic links"),
        [110] = ("ETIMEDOUT", "timed out"),
        [122] = ("EDQUOT", "disk quota exceeded"),
    };

    /// <summary>The errno behind <paramref name="e"/>, or null.</summary>
    public static int? Errno(Exception e) => e switch
    {
        ErrnoException x => x.Errno,
        _ => IoErrno.FromException(e),
    };

    /// <summary>"ENOSPC" for 28, "errno 1234" for a value not in the table.</summary>
    public static string Name(int errno) => Table.TryGetValue(errno, out var t) ? t.Name : Catalog.ErrnoText.Name(errno);

    /// <summary>"no space left on device (ENOSPC)".</summary>
    public static string Text(int errno) => Table.TryGetValue(errno, out var t) ? $"{t.Text} ({t.Name})" : Name(errno);

    /// <summary>An exception for <paramref name="name"/> (a path, stdin, stdout) failing to
    /// <paramref name="operation"/> (e.g. "write"; null to open) with the errno of <paramref name="e"/>;
    /// <paramref name="e"/> itself when it has no errno and is not an I/O error.</summary>
    public static Exception For(string name, string? operation, Exception e)
    {
        if (e is ErrnoException or DeviceException or UsageException) return e;
        var errno = Errno(e);
        if (errno is null && e is not (IOException or UnauthorizedAccessException)) return e;
        var what = errno is { } n ? Text(n) : "failed";
        return new ErrnoException(operation is null ? $"{name}: {what}" : $"{name}: {operation}: {what}", errno, e);
    }
}

/// <summary>An I/O failure already worded for the user, with its errno when known (exit 4).</summary>
public sealed class ErrnoException(string message, int? errno, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The errno (positive), or null.</summary>
    public int? Errno { get; } = errno;

    /// <summary>True when the failure was writing stdout (nothing more can be said there).</summary>
    public bool OnStdout { get; init; }
}
