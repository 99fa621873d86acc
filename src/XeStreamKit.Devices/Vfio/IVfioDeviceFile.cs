using XeStreamKit.Devices.Posix;

namespace XeStreamKit.Devices.Vfio;

/// <summary>
/// An open VFIO device ready for its feature ioctls (a cdev bound to an iommufd, or a device fd
/// from a group): VFIO_DEVICE_FEATURE on the device, and read/write/close on the migration data
/// fds it hands out. Kernel return convention (≥ 0, or -errno); no exceptions. The seam that lets
/// a fake play xe-vfio-pci in tests.
/// </summary>
internal interface IVfioDeviceFile : IFileDescriptorIo, IDisposable
{
    /// <summary><c>ioctl(device, VFIO_DEVICE_FEATURE, argument)</c>: <paramref name="argument"/> is
    /// a <c>struct vfio_device_feature</c> followed by the feature's data, which the kernel may
    /// overwrite (GET, and the data_fd of a SET). Returns the ioctl's result or -errno.</summary>
    int DeviceFeature(Span<byte> argument);

    /// <summary><c>ioctl(device, VFIO_DEVICE_RESET)</c>: a function-level reset; afterwards the
    /// migration state is RUNNING again. Returns 0 or -errno.</summary>
    int DeviceReset();
}
