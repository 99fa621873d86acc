using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Devices;

/// <summary>Real-device tests must show as skipped, with the way to run them, when no device is named.</summary>
public class DeviceFactTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Without_the_variable_the_test_is_skipped_with_the_way_to_run_it()
    {
        DeviceFactAttribute.SkipReason(Env(), VfioDeviceFactAttribute.Variable, VfioDeviceFactAttribute.Example, "VFIO device", false)
            .ShouldBe("no VFIO device: set XSK_VFIO_DEVICE=/dev/vfio/devices/vfioN to run");
        DeviceFactAttribute.SkipReason(Env(("XSK_VFIO_DEVICE", " ")), "XSK_VFIO_DEVICE", "x", "VFIO device", false).ShouldNotBeNull();
    }

    [Fact]
    public void With_the_variable_the_test_runs()
    {
        DeviceFactAttribute.SkipReason(Env(("XSK_DEBUGFS_VF", "/sys/kernel/debug/dri/0000:03:00.0/sriov/vf1")),
            DebugfsVfFactAttribute.Variable, DebugfsVfFactAttribute.Example, "debugfs VF", false).ShouldBeNull();
    }

    [Fact]
    public void A_restore_needs_the_explicit_permission_too()
    {
        var device = ("XSK_VFIO_DEVICE", "/dev/vfio/devices/vfio0");
        DeviceFactAttribute.SkipReason(Env(device), "XSK_VFIO_DEVICE", "x", "VFIO device", true)
            .ShouldBe("restores into a real VF: set XSK_ALLOW_RESTORE=1 (with XSK_VFIO_DEVICE) to run");
        DeviceFactAttribute.SkipReason(Env(device, ("XSK_ALLOW_RESTORE", "1")), "XSK_VFIO_DEVICE", "x", "VFIO device", true).ShouldBeNull();
    }

    [Fact]
    public void The_attributes_read_the_process_environment()
    {
        var expected = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(VfioDeviceFactAttribute.Variable));
        (new VfioDeviceFactAttribute().Skip is not null).ShouldBe(expected);
        var expectedDebugfs = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DebugfsVfFactAttribute.Variable));
        (new DebugfsVfFactAttribute().Skip is not null).ShouldBe(expectedDebugfs);
    }
}
