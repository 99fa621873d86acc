namespace XeStreamKit.Tests.Support;

/// <summary>
/// A [Fact] that runs only on a machine with a real device, named by an environment variable;
/// elsewhere it is reported as skipped with the reason (never as passed).
/// </summary>
public abstract class DeviceFactAttribute : FactAttribute
{
    protected DeviceFactAttribute(string variable, string example, string what, bool needsRestore)
    {
        Skip = SkipReason(Environment.GetEnvironmentVariable, variable, example, what, needsRestore);
    }

    /// <summary>Set to 1 to allow tests that overwrite a real VF's state.</summary>
    public const string AllowRestoreVariable = "XSK_ALLOW_RESTORE";

    /// <summary>Why the test is skipped, or null when it can run.</summary>
    public static string? SkipReason(Func<string, string?> environment, string variable, string example, string what, bool needsRestore)
    {
        if (string.IsNullOrWhiteSpace(environment(variable)))
            return $"no {what}: set {variable}={example} to run";
        if (needsRestore && environment(AllowRestoreVariable) != "1")
            return $"restores into a real VF: set {AllowRestoreVariable}=1 (with {variable}) to run";
        return null;
    }
}

/// <summary>Needs <c>XSK_VFIO_DEVICE=/dev/vfio/devices/vfioN</c> (a VF bound to xe-vfio-pci).</summary>
public sealed class VfioDeviceFactAttribute(bool needsRestore = false)
    : DeviceFactAttribute(Variable, Example, "VFIO device", needsRestore)
{
    public const string Variable = "XSK_VFIO_DEVICE";

    public const string Example = "/dev/vfio/devices/vfioN";
}

/// <summary>Needs <c>XSK_DEBUGFS_VF=/sys/kernel/debug/dri/&lt;BDF&gt;/sriov/vfN</c>.</summary>
public sealed class DebugfsVfFactAttribute(bool needsRestore = false)
    : DeviceFactAttribute(Variable, Example, "xe PF debugfs VF directory", needsRestore)
{
    public const string Variable = "XSK_DEBUGFS_VF";

    public const string Example = "/sys/kernel/debug/dri/<BDF>/sriov/vfN";
}
