using System.Globalization;
using Microsoft.Win32.SafeHandles;
using XeStreamKit.IO;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// Opens descriptors 0 and 1 with read(2)/write(2) (<see cref="DescriptorStream"/>; a regular-file
/// stdin as a seekable file). Not <see cref="Console.OpenStandardOutput()"/>: .NET's console
/// stream drops EPIPE silently (ConsolePal.Unix Write), so a reader that went away would look
/// like success; here EPIPE, ENOSPC and EBADF are errors. And a standard stream the shell closed (<c>&lt;&amp;-</c>, <c>&gt;&amp;-</c>) is
/// recognised: the runtime reuses the free descriptor for a pipe of its own, from which a read
/// never returns.
/// </summary>
public static class StandardStreams
{
    /// <summary>Standard input: seekable only when it is a regular file.</summary>
    public static Stream OpenInput()
    {
        if (OwnedByRuntime(0)) return new ClosedStream("stdin");
        switch (FileKinds.OfDescriptor(0))
        {
            case FileKind.Missing:
                return new ClosedStream("stdin");
            case FileKind.Regular:
                // A file: seekable, so inspect and validate skip payloads instead of reading them.
                try
                {
                    return new NamedStream("stdin", new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0), ownsInner: false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    return new ClosedStream("stdin");
                }
            default:
                return new NamedStream("stdin", new DescriptorStream(0, "stdin", write: false), ownsInner: false);
        }
    }

    /// <summary>Standard output, unbuffered (text is buffered by <see cref="CliContext.Out"/>).</summary>
    public static NamedStream OpenOutput()
    {
        Stream stream = OwnedByRuntime(1) || FileKinds.OfDescriptor(1) == FileKind.Missing
            ? new ClosedStream("stdout")
            : new DescriptorStream(1, "stdout", write: true);
        return new NamedStream("stdout", stream, ownsInner: false, isStdout: true);
    }

    /// <summary>
    /// True when descriptor <paramref name="fd"/> is one end of a pipe whose other end this
    /// process also holds: the shell closed the standard stream and the runtime took the number
    /// for its own pipe. (A real stdin pipe's write end is in another process.)
    /// </summary>
    private static bool OwnedByRuntime(int fd)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var link = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (link is null) return false;
            if (link.StartsWith("anon_inode:", StringComparison.Ordinal)) return true;
            if (!link.StartsWith("pipe:", StringComparison.Ordinal)) return false;
            var mine = AccessMode(fd);
            foreach (var entry in Directory.EnumerateFiles("/proc/self/fd"))
            {
                if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var other) || other == fd) continue;
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue;
                }
                if (target == link && AccessMode(other) is { } mode && mode != mine) return true;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>O_ACCMODE of an open descriptor, from /proc/self/fdinfo (0 read, 1 write, 2 both).</summary>
    private static int? AccessMode(int fd)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd}"))
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                    return (int)(Convert.ToUInt32(line[6..].Trim(), 8) & 3);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }

    /// <summary>A standard stream that is not open: every use fails with EBADF.</summary>
    private sealed class ClosedStream(string name) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw Closed();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw Closed();
        private ErrnoException Closed() => new($"{name}: is closed ({SystemErrors.Name(9)}): {(name == "stdin" ? "give a file, or redirect stdin" : "redirect stdout to a file or to /dev/null")}", 9) { OnStdout = name == "stdout" };
    }
}
