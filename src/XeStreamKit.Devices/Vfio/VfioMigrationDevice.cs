using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XeStreamKit.Devices.Posix;

namespace XeStreamKit.Devices.Vfio;

/// <summary>
/// A VF bound to xe-vfio-pci, driven through the VFIO migration uAPI (docs/driver.md#vfio, #vfio-uapi):
/// VFIO_DEVICE_FEATURE MIGRATION (flags), MIG_DEVICE_STATE (GET the state, SET one arc at a
/// time; the arcs into STOP_COPY and RESUMING return the data fd) and MIG_DATA_SIZE.
/// </summary>
/// <remarks>
/// <code>
///   save:    RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY  (read the data fd to EOF)  -> STOP
///   restore: STOP -> RESUMING  (write the data fd)  -> STOP -> RUNNING_P2P -> RUNNING
/// </code>
/// Every SET asks for one arc of the path <see cref="VfioStatePath"/> finds over the arcs the
/// device's flags imply, so the driver never has to split a request (xe-vfio-pci stops the VF
/// when <c>vfio_mig_get_next_state</c> refuses one) and a failure names the arc that failed.
/// On a failed arc the driver leaves the state unchanged.
/// </remarks>
public sealed class VfioMigrationDevice : IMigrationDevice, IResettable
{
    /// <summary>Upper bound on SET requests for one state change (a path has at most 4 arcs;
    /// the rest is room for EINTR retries).</summary>
    private const int MaxRequests = 64;

    private readonly IVfioDeviceFile _file;
    private FdStream? _data;
    private bool _disposed;

    internal VfioMigrationDevice(IVfioDeviceFile file, string description)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        Description = description;
        var migration = new VfioFeatureMigration();
        var r = Get(ref migration, VfioUapi.VFIO_DEVICE_FEATURE_MIGRATION);
        if (r < 0)
            throw new DeviceException("VFIO_DEVICE_FEATURE(GET MIGRATION)", -r,
                r == -(int)Errno.ENOTTY ? "the device has no migration support (is it a VF bound to xe-vfio-pci, with migration enabled on its PF?)" : null);
        MigrationFlags = (VfioMigrationFlags)migration.Data.Flags;
        if (!MigrationFlags.HasFlag(VfioMigrationFlags.STOP_COPY))
            throw new DeviceException("VFIO_DEVICE_FEATURE(GET MIGRATION)", (int)Errno.EOPNOTSUPP,
                $"migration flags 0x{(ulong)MigrationFlags:x} lack VFIO_MIGRATION_STOP_COPY");
    }

    /// <summary>Opens a VFIO device cdev (<c>/dev/vfio/devices/vfioN</c>), binding it to an iommufd.</summary>
    public static VfioMigrationDevice OpenCdev(string cdevPath, string? description = null) =>
        Create(VfioDeviceFile.OpenCdev(cdevPath), description ?? "vfio:" + cdevPath);

    /// <summary>Opens device <paramref name="deviceName"/> (its PCI address, e.g. <c>0000:03:00.1</c>)
    /// of the VFIO group <paramref name="groupPath"/> (<c>/dev/vfio/N</c>) through a new container.</summary>
    public static VfioMigrationDevice OpenGroup(string groupPath, string deviceName, string? description = null) =>
        Create(VfioDeviceFile.OpenGroup(groupPath, deviceName), description ?? $"vfio:{groupPath}:{deviceName}");

    internal static VfioMigrationDevice Create(IVfioDeviceFile file, string description)
    {
        try
        {
            return new VfioMigrationDevice(file, description);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The optional states the device supports (xe-vfio-pci: STOP_COPY | P2P).</summary>
    public VfioMigrationFlags MigrationFlags { get; }

    /// <summary>Whether the device has RUNNING_P2P (pausing goes through it).</summary>
    public bool SupportsP2P => MigrationFlags.HasFlag(VfioMigrationFlags.P2P);

    /// <summary>The device's migration state (GET MIG_DEVICE_STATE).</summary>
    public VfioDeviceState GetState()
    {
        ThrowIfDisposed();
        var state = new VfioFeatureMigState();
        var r = Get(ref state, VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE);
        if (r < 0) throw new DeviceException("VFIO_DEVICE_FEATURE(GET MIG_DEVICE_STATE)", -r);
        return (VfioDeviceState)state.Data.DeviceState;
    }

    /// <summary>MIG_DATA_SIZE. xe computes it as a signed size and the VFIO driver stores it in an
    /// unsigned long, so an error arrives as a huge length (docs/format.md#size-estimate): such a value is reported as
    /// the errno it encodes. Null when the kernel predates the feature (ENOTTY).</summary>
    public long? EstimateSize()
    {
        ThrowIfDisposed();
        const string operation = "VFIO_DEVICE_FEATURE(GET MIG_DATA_SIZE)";
        var size = new VfioFeatureMigDataSize();
        var r = Get(ref size, VfioUapi.VFIO_DEVICE_FEATURE_MIG_DATA_SIZE);
        if (r == -(int)Errno.ENOTTY) return null;
        if (r < 0) throw new DeviceException(operation, -r);
        var length = size.Data.StopCopyLength;
        var signed = unchecked((long)length);
        if (signed is < 0 and >= -IoErrno.MaxErrno)
            throw new DeviceException(operation, (int)-signed, $"the driver returned the error as the length 0x{length:x}");
        if (signed < 0)
            throw new DeviceException(operation, (int)Errno.EOVERFLOW, $"length 0x{length:x} does not fit a signed 64-bit size");
        return signed;
    }

    /// <summary>Moves to STOP (xe: RUNNING -> RUNNING_P2P pauses the VF on all GTs).</summary>
    public void Pause() => MoveTo(VfioDeviceState.STOP);

    /// <summary>Moves to RUNNING (xe: RUNNING_P2P -> RUNNING resumes the VF).</summary>
    public void Resume()
    {
        CloseData();
        MoveTo(VfioDeviceState.RUNNING);
    }

    /// <summary>VFIO_DEVICE_RESET: drops any migration session; the device is RUNNING afterwards
    /// (xe-vfio-pci's deferred reset). The way back after a failed restore.</summary>
    public void Reset()
    {
        CloseData();
        var r = _file.DeviceReset();
        if (r < 0) throw new DeviceException("VFIO_DEVICE_RESET", -r);
    }

    /// <summary>Moves to STOP_COPY (pausing on the way if needed) and returns the data fd as a
    /// read-only stream; read it to EOF, then call <see cref="FinishSave"/>.</summary>
    public Stream BeginSave() => BeginSession(VfioDeviceState.STOP_COPY, FileAccessMode.Read);

    /// <summary>Closes the data fd and moves STOP_COPY -> STOP: xe finishes the save there and
    /// reports a save that did not complete (EIO).</summary>
    public void FinishSave()
    {
        CloseData();
        MoveTo(VfioDeviceState.STOP);
    }

    /// <summary>Moves to RESUMING (via STOP) and returns the data fd as a write-only stream.</summary>
    public Stream BeginRestore() => BeginSession(VfioDeviceState.RESUMING, FileAccessMode.Write);

    /// <summary>Closes the data fd and moves RESUMING -> STOP: xe waits there for the restore to
    /// finish (up to 20 s per GT) and reports its failure (EIO, ETIMEDOUT). After a failure the
    /// device stays in RESUMING; the uAPI's way out is a device reset.</summary>
    public void FinishRestore()
    {
        CloseData();
        MoveTo(VfioDeviceState.STOP);
    }

    /// <summary>Closes the data fd and the device, leaving the VF as it is. On close xe-vfio-pci
    /// sets its migration state back to RUNNING (<c>xe_vfio_pci_reset</c>) but only drops the data
    /// file, with no resume of its own: call <see cref="Resume"/> first.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CloseData();
        _file.Dispose();
    }

    private Stream BeginSession(VfioDeviceState target, FileAccessMode mode)
    {
        ThrowIfDisposed();
        if (_data is not null)
            throw new InvalidOperationException("A save or restore is already in progress: finish it first.");
        var fd = MoveTo(target);
        if (fd < 0)
            throw new DeviceException($"VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE {target} -> {target})", (int)Errno.EALREADY,
                "the device is already in that state, so there is no new data fd; finish the session first");
        _data = new FdStream(_file, fd, mode, $"VFIO data fd ({target})");
        return _data;
    }

    private void CloseData()
    {
        _data?.Dispose();
        _data = null;
    }

    /// <summary>Walks to <paramref name="target"/> one arc at a time; returns the data fd the last
    /// arc produced, or -1.</summary>
    private int MoveTo(VfioDeviceState target)
    {
        ThrowIfDisposed();
        var current = GetState();
        var dataFd = -1;
        for (var requests = 0; current != target; requests++)
        {
            var path = VfioStatePath.Find(MigrationFlags, current, target)
                ?? throw new DeviceException($"VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE {current} -> {target})", (int)Errno.EINVAL,
                    current == VfioDeviceState.ERROR
                        ? "the device is in ERROR and needs VFIO_DEVICE_RESET; nothing was requested"
                        : $"no path over the arcs of a device with flags {MigrationFlags}; nothing was requested");
            var next = path[1];
            var operation = $"VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE {current} -> {next})";
            if (requests == MaxRequests)
                throw new DeviceException(operation, (int)Errno.EINTR, $"interrupted {MaxRequests} times");
            var arg = new VfioFeatureMigState { Data = { DeviceState = (uint)next, DataFd = -1 } };
            var r = Feature(ref arg, VfioUapi.VFIO_DEVICE_FEATURE_SET, VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE);
            if (r == -(int)Errno.EINTR)
            {
                // The arc may or may not have happened: ask.
                current = GetState();
                continue;
            }
            if (r < 0) throw new DeviceException(operation, -r);
            current = next;
            if (arg.Data.DataFd >= 0)
            {
                if (current == target) dataFd = arg.Data.DataFd;
                else _file.Close(arg.Data.DataFd);
            }
        }
        return dataFd;
    }

    /// <summary>A GET, retried while interrupted (it changes nothing).</summary>
    private int Get<T>(ref T argument, uint feature) where T : unmanaged
    {
        int r;
        do r = Feature(ref argument, VfioUapi.VFIO_DEVICE_FEATURE_GET, feature);
        while (r == -(int)Errno.EINTR);
        return r;
    }

    private int Feature<T>(ref T argument, uint op, uint feature) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref argument, 1));
        ref var header = ref Unsafe.As<T, VfioDeviceFeatureHeader>(ref argument);
        header.Argsz = (uint)bytes.Length;
        header.Flags = op | feature;
        return _file.DeviceFeature(bytes);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
