using XeStreamKit.IO;
namespace XeStreamKit.Qemu;

/// <summary>
/// A VFIO device's state reassembled from its DEV_DATA_STATE blocks, read straight through the
/// <see cref="QemuMigrationReader"/> (like System.Formats.Tar's sub-read stream): forward only,
/// nothing copied ahead, never materialised. Its positions are offsets in the device's own
/// stream (for xe: the Xe stream), so a <c>MigrationStreamReader</c> reads it directly. Ends after
/// the END section's END_OF_STATE; valid until the reader moves on by itself.
/// </summary>
public sealed class VfioDeviceDataStream : ForwardReadStream
{
    private readonly QemuMigrationReader _reader;
    private long _position;

    internal VfioDeviceDataStream(QemuMigrationReader reader, QemuVfioDevice device)
    {
        _reader = reader;
        Device = device;
    }

    /// <summary>The device whose data this is.</summary>
    public QemuVfioDevice Device { get; }

    /// <summary>True once the END section's END_OF_STATE was read.</summary>
    public bool Ended { get; internal set; }

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("The device data length is known only once its END section was read.");

    /// <summary>Bytes of device data read so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = _reader.ReadDeviceData(this, buffer);
        _position += n;
        return n;
    }

    /// <summary>Skips the rest of the device data, seeking over blocks when the source can.</summary>
    public void SkipToEnd() => _reader.SkipDeviceData(this);

    /// <inheritdoc/>
    public override void Flush()
    {
    }
}

/// <summary>Why <see cref="QemuMigrationReader.FindDeviceData"/> did or did not find device data.</summary>
public enum QemuDeviceLookupStatus
{
    /// <summary>The device has data; <see cref="QemuDeviceLookup.Data"/> reads it.</summary>
    Found,
    /// <summary>The stream has no VFIO device (no START section with a <c>/vfio</c> idstr).</summary>
    NoVfioDevice,
    /// <summary>The stream has VFIO devices, but not the one asked for.</summary>
    DeviceNotFound,
    /// <summary>The device's END section holds no data (see <see cref="QemuVfioDevice.Multifd"/>).</summary>
    NoData,
    /// <summary>The stream ended without the device's END section.</summary>
    MissingEnd,
}

/// <summary>The outcome of <see cref="QemuMigrationReader.FindDeviceData"/>.</summary>
public sealed class QemuDeviceLookup
{
    internal QemuDeviceLookup(QemuDeviceLookupStatus status, QemuVfioDevice? device, VfioDeviceDataStream? data,
        IReadOnlyList<QemuVfioDevice> devices, QemuStreamSummary summary, string? requested)
    {
        Status = status;
        Device = device;
        Data = data;
        Devices = devices;
        Summary = summary;
        Requested = requested;
    }

    /// <summary>What was found.</summary>
    public QemuDeviceLookupStatus Status { get; }
    /// <summary>The device (null when none was found).</summary>
    public QemuVfioDevice? Device { get; }
    /// <summary>The device data when <see cref="Status"/> is <see cref="QemuDeviceLookupStatus.Found"/>.</summary>
    public VfioDeviceDataStream? Data { get; }
    /// <summary>Every VFIO device seen (all of them when the walk reached the end).</summary>
    public IReadOnlyList<QemuVfioDevice> Devices { get; }
    /// <summary>The walk's summary.</summary>
    public QemuStreamSummary Summary { get; }
    /// <summary>The idstr asked for, or null for "the first".</summary>
    public string? Requested { get; }
    /// <summary>A format error met while walking past a data-less device for evidence (the
    /// <see cref="Failure"/> message includes it).</summary>
    public MigrationStreamFormatException? WalkError { get; internal init; }

    /// <summary>The data stream, or a <see cref="MigrationStreamFormatException"/> saying in one
    /// line why there is none.</summary>
    public VfioDeviceDataStream DataOrThrow() => Data ?? throw Failure();

    /// <summary>The one-line error saying why there is no data (for any status but
    /// <see cref="QemuDeviceLookupStatus.Found"/>).</summary>
    public MigrationStreamFormatException Failure()
    {
        if (Status == QemuDeviceLookupStatus.Found) throw new InvalidOperationException("The device data was found.");
        var end = Summary.EofOffset >= 0 ? Summary.EofOffset : 0;
        return Status switch
        {
            QemuDeviceLookupStatus.NoVfioDevice => new MigrationStreamFormatException(end, -1, null, "qemu stream",
                $"has no VFIO device section (no START section with an idstr '<id>/vfio' among its {Summary.Records} records)"),
            QemuDeviceLookupStatus.DeviceNotFound => new MigrationStreamFormatException(end, -1, null, "qemu stream",
                $"has no VFIO device '{Requested}'; its VFIO devices: {string.Join(", ", Devices.Select(d => d.IdStr))}"),
            QemuDeviceLookupStatus.NoData => new MigrationStreamFormatException(Device!.EndSectionOffset, -1, null,
                $"qemu VFIO device '{Device.IdStr}'", "sent no data in the main stream: " + Device.NoDataExplanation
                + (WalkError is { } walk ? "; walking on for the config section failed: " + walk.Message : "")),
            QemuDeviceLookupStatus.MissingEnd => new MigrationStreamFormatException(end, -1, null,
                $"qemu VFIO device '{Device!.IdStr}'", "has no END section before QEMU_VM_EOF (the stream holds no STOP_COPY data for it)"),
            _ => new MigrationStreamFormatException(end, -1, null, "qemu stream", $"has no data for the device ({Status})"),
        };
    }
}
