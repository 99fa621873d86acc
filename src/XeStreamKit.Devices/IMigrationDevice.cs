namespace XeStreamKit.Devices;

/// <summary>
/// A VF whose migration state can be saved and restored: the emulated PF, a VFIO device bound
/// to xe-vfio-pci, or the xe PF debugfs files of one VF. The sequence is the driver's:
/// <c>Pause</c>, then either <c>BeginSave</c> / read to EOF / <c>FinishSave</c>, or
/// <c>BeginRestore</c> / write / <c>FinishRestore</c>, then <c>Resume</c>.
/// Failures raise <see cref="DeviceException"/> carrying the errno and the operation.
/// </summary>
public interface IMigrationDevice : IDisposable
{
    /// <summary>What the device is, as the user named it (e.g. <c>vfio:/dev/vfio/devices/vfio0</c>).</summary>
    string Description { get; }

    /// <summary>The driver's own STOP_COPY size estimate (debugfs <c>migration_size</c>, VFIO
    /// MIG_DATA_SIZE), which undercounts (docs/format.md#size-estimate); null when the device does not report one.</summary>
    long? EstimateSize();

    /// <summary>Stops the VF from running (debugfs <c>pause</c>; VFIO RUNNING -> RUNNING_P2P -> STOP).</summary>
    void Pause();

    /// <summary>Lets the VF run again (debugfs <c>resume</c>; VFIO STOP -> RUNNING).</summary>
    void Resume();

    /// <summary>Starts a save and returns the migration data: reads fill the buffer unless the
    /// stream is at its end, and return 0 at the end (the driver's read() semantics).</summary>
    Stream BeginSave();

    /// <summary>Ends a save after the data was read to EOF (VFIO STOP_COPY -> STOP; debugfs read of <c>save</c>).</summary>
    void FinishSave();

    /// <summary>Starts a restore and returns where to write the migration data; writes may split
    /// headers and payloads anywhere (the driver's write() semantics).</summary>
    Stream BeginRestore();

    /// <summary>Ends a restore (VFIO RESUMING -> STOP; debugfs read of <c>restore</c>); deferred
    /// failures surface here (e.g. EIO after a GT failed, ETIMEDOUT without a trailer).</summary>
    void FinishRestore();
}
