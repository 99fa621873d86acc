namespace XeStreamKit.Devices;

/// <summary>A device operation failed with an errno (an I/O error: exit code 4).</summary>
public sealed class DeviceException : IOException
{
    /// <summary>Creates the exception for <paramref name="operation"/> failing with <paramref name="errno"/> (positive).</summary>
    public DeviceException(string operation, int errno, string? detail = null)
        : base($"{operation} failed with {ErrnoText.Name(errno)}{(detail is null ? "" : ": " + detail)}")
    {
        Operation = operation;
        Errno = Math.Abs(errno);
    }

    /// <summary>What was being done, e.g. <c>write of packet #0 (offset 0x0)</c> or <c>RESUMING -> STOP</c>.</summary>
    public string Operation { get; }

    /// <summary>The errno, positive (19 for ENODEV).</summary>
    public int Errno { get; }

    /// <summary>The driver hazard (kernel oops, hang) an emulated device refused to reproduce;
    /// <see cref="Catalog.DriverHazard.None"/> for an ordinary failure.</summary>
    public Catalog.DriverHazard Hazard { get; init; }

    /// <summary>The errno's symbolic name.</summary>
    public string ErrnoName => ErrnoText.Name(Errno);
}
