namespace XeStreamKit.Devices;

/// <summary>A device that can be reset to RUNNING with no migration session, e.g. after a failed
/// restore, whose driver state is undefined until a reset (docs/driver.md#hazards).</summary>
public interface IResettable
{
    /// <summary>Resets the VF (VFIO_DEVICE_RESET, debugfs <c>reset</c>, an emulated FLR).</summary>
    void Reset();
}
