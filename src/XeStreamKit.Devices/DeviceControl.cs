namespace XeStreamKit.Devices;

/// <summary>Control steps every device shares.</summary>
public static class DeviceControl
{
    /// <summary>
    /// Pauses the VF unless it is paused already. The xe PF refuses to pause a paused VF with
    /// ESTALE (<c>xe_gt_sriov_pf_control_pause_vf</c>: "VF%u was already paused!"), and that is
    /// its only ESTALE there, so a VF left paused by an earlier save (<c>xsk save</c> without
    /// <c>--resume</c>) or a failed restore can be saved or restored again.
    /// </summary>
    public static void EnsurePaused(this IMigrationDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            device.Pause();
        }
        catch (DeviceException e) when (e.Errno == (int)Errno.ESTALE)
        {
        }
    }
}
