using XeStreamKit.Devices;
using XeStreamKit.Devices.Posix;
using XeStreamKit.Driver;

namespace XeStreamKit.Tests.Devices.Posix;

/// <summary>The errno behind exceptions the .NET file APIs raise for real kernel errors.</summary>
public sealed class IoErrnoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xsk-ioerrno-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Errno? ErrnoOf(Action action)
    {
        var e = Should.Throw<Exception>(action);
        return IoErrno.FromException(e) is { } n ? (Errno)n : null;
    }

    [Fact]
    public void Missing_file_and_directory_are_ENOENT()
    {
        ErrnoOf(() => File.ReadAllBytes(Path.Join(_dir, "missing"))).ShouldBe(Errno.ENOENT);
        ErrnoOf(() => Directory.GetFileSystemEntries(Path.Join(_dir, "missing"))).ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void A_file_used_as_a_directory_is_folded_into_not_found_by_dotnet()
    {
        // .NET turns ENOTDIR into DirectoryNotFoundException (Windows' "path not found"), so the
        // mapping can only say ENOENT: the errno itself is lost before it reaches us.
        var file = Path.Join(_dir, "file");
        File.WriteAllText(file, "x");
        ErrnoOf(() => Directory.GetFileSystemEntries(file)).ShouldBe(Errno.ENOENT);
        ErrnoOf(() => File.ReadAllBytes(Path.Join(file, "below"))).ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void A_full_device_is_ENOSPC_from_the_hresult()
    {
        ErrnoOf(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            full.Write(new byte[16]);
            full.Flush();
        }).ShouldBe(Errno.ENOSPC);
    }

    [Fact]
    public void Opening_a_directory_as_a_file_is_what_dotnet_synthesises_EACCES_inside_UnauthorizedAccess()
    {
        var e = Should.Throw<UnauthorizedAccessException>(() => File.ReadAllBytes(_dir));
        e.InnerException.ShouldBeOfType<IOException>().HResult.ShouldBe((int)Errno.EACCES);
        IoErrno.FromException(e).ShouldBe((int)Errno.EACCES);
    }

    [Fact]
    public void A_name_too_long_is_ENAMETOOLONG()
    {
        ErrnoOf(() => File.ReadAllBytes(Path.Join(_dir, new string('n', 300)))).ShouldBe(Errno.ENAMETOOLONG);
    }

    [Fact]
    public void Device_exceptions_keep_their_errno_and_other_exceptions_have_none()
    {
        IoErrno.FromException(new DeviceException("x", (int)Errno.ENODEV)).ShouldBe((int)Errno.ENODEV);
        IoErrno.FromException(new IOException("made up")).ShouldBeNull();
        IoErrno.FromException(new IOException("windows code", unchecked((int)0x80070020))).ShouldBeNull();
        IoErrno.FromException(new UnauthorizedAccessException("no inner")).ShouldBeNull();
        IoErrno.FromException(new InvalidOperationException()).ShouldBeNull();
    }

    [Fact]
    public void ToDeviceException_names_the_operation_and_the_errno()
    {
        var e = Should.Throw<Exception>(() => File.ReadAllBytes(Path.Join(_dir, "missing")));
        IoErrno.ToDeviceException("open of the thing", e)!.Message.ShouldBe("open of the thing failed with ENOENT");
        IoErrno.ToDeviceException("x", new InvalidOperationException()).ShouldBeNull();
    }
}
