using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Driver;

namespace XeStreamKit.Tests.Devices;

/// <summary>EnsurePaused: a VF left paused (by <c>xsk save</c> without --resume, or a failed
/// restore) can be saved or restored again; other pause failures still surface.</summary>
public class DeviceControlTests
{
    [Fact]
    public void A_paused_vf_is_paused_again_without_error()
    {
        using var device = DeviceSpec.OpenEmulated("ptl,ggtt=16KiB");
        device.Pause();
        Should.Throw<DeviceException>(device.Pause).ErrnoName.ShouldBe("ESTALE");
        device.EnsurePaused();
        device.BeginSave().CopyTo(Stream.Null);
        device.FinishSave();
    }

    [Fact]
    public void Any_other_pause_failure_is_reported()
    {
        var pf = new ScriptedDevice { Failures = { ["Pause"] = Errno.EPERM } };
        Should.Throw<DeviceException>(pf.EnsurePaused).ErrnoName.ShouldBe("EPERM");
        var stale = new ScriptedDevice { Failures = { ["Pause"] = Errno.ESTALE } };
        stale.EnsurePaused();
        stale.Calls.ShouldBe(["Pause"]);
    }
}
