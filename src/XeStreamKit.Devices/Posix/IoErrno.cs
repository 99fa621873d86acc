namespace XeStreamKit.Devices.Posix;

/// <summary>
/// The errno behind an exception from a .NET file API on Linux, for code that reaches device
/// files (debugfs, /dev/vfio) through <see cref="File"/>, <see cref="Directory"/> or
/// <see cref="FileStream"/> rather than through libc.
/// </summary>
/// <remarks>
/// How .NET builds these exceptions (Interop.GetExceptionForIoErrno in dotnet/runtime):
/// <list type="bullet">
/// <item>ENOENT becomes <see cref="FileNotFoundException"/> or <see cref="DirectoryNotFoundException"/>
/// (their HResults are Windows codes, not the errno); so does ENOTDIR when opening a file or
/// listing a directory (Windows' "path not found"), which therefore maps back to ENOENT;</item>
/// <item>EACCES, EBADF and EPERM become <see cref="UnauthorizedAccessException"/> whose inner
/// <see cref="IOException"/> carries the errno as its HResult;</item>
/// <item>ENAMETOOLONG becomes <see cref="PathTooLongException"/>;</item>
/// <item>every other errno becomes an <see cref="IOException"/> whose HResult is the raw errno
/// (a small positive number; the message is strerror text, which is localised, so it is not
/// used).</item>
/// </list>
/// .NET itself reports opening a directory as a file as EACCES (it checks with fstat), and
/// retries a positioned read that fails with ESPIPE or ENXIO as a plain read: device files with
/// stream semantics are better served by libc calls (<see cref="FdStream"/>).
/// </remarks>
public static class IoErrno
{
    /// <summary>Largest errno Linux returns (MAX_ERRNO in linux/err.h).</summary>
    public const int MaxErrno = 4095;

    /// <summary>The errno behind <paramref name="exception"/>, or null when it did not come from a
    /// failed system call.</summary>
    public static int? FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case DeviceException d:
                return d.Errno;
            case FileNotFoundException or DirectoryNotFoundException:
                return (int)Errno.ENOENT;
            case PathTooLongException:
                return (int)Errno.ENAMETOOLONG;
            case UnauthorizedAccessException { InnerException: IOException inner }:
                return FromHResult(inner.HResult);
            case IOException io:
                return FromHResult(io.HResult);
            default:
                return null;
        }
    }

    /// <summary>A <see cref="DeviceException"/> for <paramref name="operation"/> when
    /// <paramref name="exception"/> carries an errno; null otherwise.</summary>
    public static DeviceException? ToDeviceException(string operation, Exception exception) =>
        FromException(exception) is { } errno ? new DeviceException(operation, errno) : null;

    private static int? FromHResult(int hresult) => hresult is > 0 and <= MaxErrno ? hresult : null;
}
