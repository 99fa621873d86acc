using System.Runtime.InteropServices;

namespace XeStreamKit.Devices.Posix;

/// <summary>
/// The few libc calls the device backends make. Each returns what the C function returns; the
/// errno of a failed call is <see cref="Marshal.GetLastPInvokeError"/> (captured right after
/// the call by <c>SetLastError</c>). .NET maps the name <c>libc</c> to the platform's C library.
/// </summary>
/// <remarks>
/// <c>ioctl</c> and <c>open</c> are variadic in C; on x86-64 and arm64 Linux an integer or
/// pointer third argument is passed exactly as in a fixed-argument call, so a fixed signature
/// is the usual binding.
/// </remarks>
internal static unsafe partial class LibC
{
    // asm-generic/fcntl.h: the values are the same on x86-64 and arm64.
    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    /// <summary><c>ioctl(fd, request, arg)</c> with a pointer or integer argument.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    /// <summary><c>pipe2(fds, O_CLOEXEC)</c>: 0 or -errno.</summary>
    public static int Pipe(out int readFd, out int writeFd)
    {
        var fds = stackalloc int[2];
        var r = Pipe2(fds, O_CLOEXEC);
        (readFd, writeFd) = r == 0 ? (fds[0], fds[1]) : (-1, -1);
        return r == 0 ? 0 : LastErrorNegated();
    }

    /// <summary>The negative errno of the call that just failed (the kernel's convention).</summary>
    public static int LastErrorNegated() => -Marshal.GetLastPInvokeError();
}
