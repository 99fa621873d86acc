using System.Runtime.InteropServices;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>What a path or an open descriptor is, from <c>statx(2)</c>: .NET's file APIs do not
/// tell a character device or a FIFO from a regular file, and both look seekable to it (a
/// <c>/dev/zero</c> opened as a file has length 0 and seeks without error).</summary>
public enum FileKind
{
    /// <summary>Nothing there (ENOENT), or statx is not available (not Linux).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A character device (<c>/dev/null</c>, a tty, <c>/dev/zero</c>).</summary>
    CharDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A named or anonymous pipe.</summary>
    Fifo,
    /// <summary>A socket.</summary>
    Socket,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    Symlink,
    /// <summary>An inode type not listed here.</summary>
    Other,
}

/// <summary>Looks up <see cref="FileKind"/>.</summary>
public static unsafe partial class FileKinds
{
    // uapi/linux/fcntl.h and uapi/linux/stat.h: the same on every Linux architecture, as is
    // struct statx (stx_mode is the u16 at offset 28 of a 256-byte structure).
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The kind of <paramref name="path"/>; symbolic links followed unless
    /// <paramref name="followLinks"/> is false. <see cref="FileKind.Missing"/> when it does not exist.</summary>
    public static FileKind Of(string path, bool followLinks = true) =>
        Query(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow);

    /// <summary>The kind of open descriptor <paramref name="fd"/> (0 stdin, 1 stdout).</summary>
    public static FileKind OfDescriptor(int fd) => Query(fd, "", AtEmptyPath);

    private static FileKind Query(int dirfd, string path, int flags)
    {
        if (!OperatingSystem.IsLinux()) return FileKind.Missing;
        var buffer = stackalloc byte[256];
        try
        {
            if (Statx(dirfd, path, flags, StatxType, buffer) != 0) return FileKind.Missing;
        }
        catch (EntryPointNotFoundException)
        {
            return FileKind.Missing;
        }
        var mode = *(ushort*)(buffer + ModeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.Symlink,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a character device", "a FIFO", ... for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.Symlink => "a symbolic link",
        FileKind.Missing => "missing",
        _ => "a special file",
    };
}
