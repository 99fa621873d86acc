using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Posix;
using XeStreamKit.Driver;

namespace XeStreamKit.Tests.Devices.Posix;

public class FdStreamTests
{
    private static LinuxFileSyscalls Io => LinuxFileSyscalls.Instance;

    private static (int Read, int Write) Pipe()
    {
        LibC.Pipe(out var r, out var w).ShouldBe(0);
        return (r, w);
    }

    [Fact]
    public void Reads_from_a_pipe_fill_the_buffer_and_return_zero_at_eof()
    {
        var data = Vectors.Sample(300_000);
        var (r, w) = Pipe();
        using var reader = new FdStream(Io, r, FileAccessMode.Read, "pipe");
        var writer = new Thread(() =>
        {
            using var ws = new FdStream(Io, w, FileAccessMode.Write, "pipe");
            // Small writes, so the reader sees short reads it must keep filling.
            for (var i = 0; i < data.Length; i += 1000) ws.Write(data.AsSpan(i, Math.Min(1000, data.Length - i)));
        }) { IsBackground = true };
        writer.Start();

        var got = Timed.Run(() =>
        {
            var ms = new MemoryStream();
            var buffer = new byte[64 * 1024];
            var reads = new List<int>();
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                reads.Add(n);
                ms.Write(buffer, 0, n);
            }
            reader.Read(buffer).ShouldBe(0);
            reads.SkipLast(1).ShouldAllBe(x => x == buffer.Length);
            return ms.ToArray();
        });
        writer.Join(Timed.Limit).ShouldBeTrue();
        got.ShouldBe(data);
        reader.BytesTransferred.ShouldBe(data.Length);
    }

    [Fact]
    public void Is_a_stream_without_position_or_seeking()
    {
        var (r, w) = Pipe();
        using var reader = new FdStream(Io, r, FileAccessMode.Read, "pipe");
        using var writer = new FdStream(Io, w, FileAccessMode.Write, "pipe");
        reader.CanSeek.ShouldBeFalse();
        reader.CanRead.ShouldBeTrue();
        reader.CanWrite.ShouldBeFalse();
        writer.CanWrite.ShouldBeTrue();
        Should.Throw<NotSupportedException>(() => reader.Position);
        Should.Throw<NotSupportedException>(() => reader.Seek(0, SeekOrigin.Begin));
        Should.Throw<NotSupportedException>(() => reader.Length);
        Should.Throw<NotSupportedException>(() => reader.Write([1]));
        Should.Throw<NotSupportedException>(() => writer.Read(new byte[1]));
    }

    [Fact]
    public void A_failing_read_is_a_device_exception_with_the_errno_name()
    {
        var (r, w) = Pipe();
        LibC.Close(r);
        // Reading the write end of a pipe: the kernel says EBADF.
        using var wrong = new FdStream(Io, w, FileAccessMode.Read, "the write end");
        var e = Should.Throw<DeviceException>(() => wrong.Read(new byte[8]));
        e.Errno.ShouldBe((int)Errno.EBADF);
        e.Message.ShouldBe("read of the write end at offset 0 failed with EBADF");
    }

    [Fact]
    public void A_failing_write_is_a_device_exception_with_the_errno_name()
    {
        var fd = Io.Open("/dev/full", FileAccessMode.Write);
        fd.ShouldBeGreaterThanOrEqualTo(0);
        using var full = new FdStream(Io, fd, FileAccessMode.Write, "/dev/full");
        var e = Should.Throw<DeviceException>(() => full.Write(new byte[10]));
        e.Message.ShouldBe("write of /dev/full at offset 0 failed with ENOSPC");
    }

    [Fact]
    public void A_write_to_a_pipe_whose_reader_left_fails_with_EPIPE()
    {
        var (r, w) = Pipe();
        LibC.Close(r);
        using var writer = new FdStream(Io, w, FileAccessMode.Write, "pipe");
        // The runtime ignores SIGPIPE, so the write returns EPIPE instead of killing the process.
        Should.Throw<DeviceException>(() => writer.Write(new byte[4])).Errno.ShouldBe((int)Errno.EPIPE);
    }

    [Fact]
    public void Dispose_closes_the_descriptor_once()
    {
        var (r, w) = Pipe();
        var closes = new CountingIo();
        var s = new FdStream(closes, r, FileAccessMode.Read, "pipe");
        s.Dispose();
        s.Dispose();
        closes.Closes.ShouldBe(1);
        s.Fd.ShouldBe(-1);
        Should.Throw<ObjectDisposedException>(() => s.Read(new byte[1]));
        LibC.Close(w);
    }

    private sealed class CountingIo : IFileDescriptorIo
    {
        public int Closes { get; private set; }
        public int Read(int fd, Span<byte> buffer) => LinuxFileSyscalls.Instance.Read(fd, buffer);
        public int Write(int fd, ReadOnlySpan<byte> buffer) => LinuxFileSyscalls.Instance.Write(fd, buffer);

        public int Close(int fd)
        {
            Closes++;
            return LinuxFileSyscalls.Instance.Close(fd);
        }
    }
}
