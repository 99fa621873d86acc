namespace XeStreamKit.Devices.Posix;

/// <summary>The real system calls through libc.</summary>
internal sealed unsafe class LinuxFileSyscalls : IFileSyscalls
{
    /// <summary>The one instance (the type has no state).</summary>
    public static readonly LinuxFileSyscalls Instance = new();

    private LinuxFileSyscalls() { }

    public int Open(string path, FileAccessMode mode)
    {
        var flags = (mode == FileAccessMode.Read ? LibC.O_RDONLY : LibC.O_WRONLY) | LibC.O_CLOEXEC;
        var fd = LibC.Open(path, flags, 0);
        return fd >= 0 ? fd : LibC.LastErrorNegated();
    }

    public int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = LibC.Read(fd, p, (nuint)buffer.Length);
            return n >= 0 ? (int)n : LibC.LastErrorNegated();
        }
    }

    public int Write(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = LibC.Write(fd, p, (nuint)buffer.Length);
            return n >= 0 ? (int)n : LibC.LastErrorNegated();
        }
    }

    public int Close(int fd) => LibC.Close(fd) == 0 ? 0 : LibC.LastErrorNegated();
}
