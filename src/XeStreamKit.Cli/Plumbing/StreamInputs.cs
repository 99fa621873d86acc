using System.CommandLine;
using XeStreamKit.Qemu;
using XeStreamKit.IO;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// Opens the migration stream a command reads, in one call: a raw Xe stream (file, device, fifo,
/// <c>-</c>), or the VFIO device data inside a QEMU migration file, detected by its "QEVM" magic
/// (or forced with <c>--qemu</c>). Commands that take a stream (inspect, validate, compat) add
/// <see cref="CreateQemuOption"/> and <see cref="CreateDeviceOption"/> and call <see cref="Open"/>.
/// </summary>
public static class StreamInputs
{
    /// <summary>The <c>--qemu</c> option: treat the input as a QEMU migration file.</summary>
    public static Option<bool> CreateQemuOption() => new("--qemu")
    {
        Description = "The input is a QEMU migration file (also detected by its QEVM magic); read a VFIO device's Xe stream from it",
    };

    /// <summary>The <c>--qemu-device</c> option: which VFIO device of a QEMU file (<c>--device</c>
    /// is always a device spec, README "Options").</summary>
    public static Option<string?> CreateDeviceOption(string name = "--qemu-device", bool required = false) => new(name)
    {
        Description = required
            ? "VFIO device of the QEMU migration file, by idstr (e.g. 0000:00:02.0/vfio)"
            : "VFIO device of a QEMU migration file, by idstr (e.g. 0000:00:02.0/vfio); default: the first",
        Required = required,
    };

    /// <summary>
    /// Opens <paramref name="path"/>. A QEMU file is walked up to the device's first data block;
    /// the returned stream is the device's Xe stream, offsets counted from its first byte.
    /// </summary>
    /// <exception cref="MigrationStreamFormatException">A QEMU file without that device or without
    /// its data (exit 2).</exception>
    /// <exception cref="UsageException"><paramref name="device"/> given for a raw stream.</exception>
    public static MigrationInput Open(string path, CliContext ctx, bool qemu = false, string? device = null, QemuMigrationReaderOptions? qemuOptions = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var stream = Inputs.Open(path, ctx.StdIn);
        try
        {
            var head = new byte[4];
            var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var isQemu = QemuMigrationReader.HasMagic(head.AsSpan(0, n)) || qemu;
            Stream source;
            if (stream.CanSeek)
            {
                stream.Seek(-n, SeekOrigin.Current);
                source = stream;
            }
            else
            {
                source = new ReplayStream(head.AsSpan(0, n).ToArray(), stream);
            }
            if (!isQemu)
            {
                if (device is not null)
                    throw new UsageException($"--qemu-device selects a VFIO device of a QEMU migration file, and {Name(path)} is not one (no QEVM magic)");
                return new MigrationInput(path, source, Inputs.KnownLength(stream), null);
            }

            var reader = new QemuMigrationReader(source, qemuOptions);
            try
            {
                var data = FindDeviceData(reader, device, ctx, "reading", Name(path));
                return new MigrationInput(path, data, null, reader);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Walks <paramref name="reader"/> to the data of <paramref name="device"/> (default: the first
    /// VFIO device); without one, fails with the reader's one-line reason. When no device was named
    /// and the file has several, notes on stderr which one is <paramref name="verb"/> (e.g.
    /// "reading"), naming the file when <paramref name="file"/> is given.
    /// </summary>
    /// <exception cref="MigrationStreamFormatException">No such device, or no data for it.</exception>
    internal static VfioDeviceDataStream FindDeviceData(QemuMigrationReader reader, string? device, CliContext ctx, string verb, string? file = null)
    {
        var lookup = reader.FindDeviceData(device);
        var data = lookup.DataOrThrow();
        if (device is null && lookup.Devices.Count > 1)
            ctx.Notes.WriteLine($"xsk: note: {(file is null ? "" : file + " has ")}{lookup.Devices.Count} VFIO devices ({string.Join(", ", lookup.Devices.Select(d => d.IdStr))}); {verb} '{data.Device.IdStr}' (choose with --qemu-device)");
        return data;
    }

    private static string Name(string path) => path == "-" ? "stdin" : path;

    /// <summary>Gives back the bytes read to detect the format, then the rest of a pipe.</summary>
    private sealed class ReplayStream(byte[] head, Stream rest) : ForwardReadStream
    {
        private int _replayed;

        public override int Read(Span<byte> buffer)
        {
            if (_replayed < head.Length && !buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, head.Length - _replayed);
                head.AsSpan(_replayed, n).CopyTo(buffer);
                _replayed += n;
                return n;
            }
            return rest.Read(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>An opened migration stream and where it came from.</summary>
public sealed class MigrationInput : IDisposable
{
    private readonly QemuMigrationReader? _reader;

    /// <param name="stream">The Xe stream; for a QEMU file, the <see cref="VfioDeviceDataStream"/>
    /// <paramref name="reader"/> handed out.</param>
    internal MigrationInput(string path, Stream stream, long? knownLength, QemuMigrationReader? reader)
    {
        Path = path;
        Stream = stream;
        KnownLength = knownLength;
        _reader = reader;
    }

    /// <summary>What the user named.</summary>
    public string Path { get; }

    /// <summary>The Xe stream: the input itself, or the device data inside a QEMU file.</summary>
    public Stream Stream { get; }

    /// <summary>The Xe stream's length when known up front (a raw file), for progress.</summary>
    public long? KnownLength { get; }

    /// <summary>True when the input is a QEMU migration file.</summary>
    public bool IsQemu => _reader is not null;

    /// <summary>The VFIO device read from a QEMU file.</summary>
    public QemuVfioDevice? Device => _reader is null ? null : ((VfioDeviceDataStream)Stream).Device;

    /// <summary>The QEMU file's reader (walk on with it once the device data was read).</summary>
    public QemuMigrationReader? QemuReader => _reader;

    /// <summary>The QEMU file's header and configuration.</summary>
    public QemuStreamHeader? QemuHeader => _reader?.Header;

    /// <summary>One line saying what is being read.</summary>
    public string Describe() => Device is { } d
        ? $"QEMU migration file{(QemuHeader?.MachineType is { } m ? $" ({m})" : "")}: VFIO device {d.IdStr}, section {d.SectionId}, device data from file offset {Units.Hex((ulong)Math.Max(0, d.FirstDataOffset))}; offsets below are in its Xe stream"
        : $"Xe stream {Path}";

    /// <summary>Closes the input.</summary>
    public void Dispose()
    {
        if (_reader is not null) _reader.Dispose();
        else Stream.Dispose();
    }
}
