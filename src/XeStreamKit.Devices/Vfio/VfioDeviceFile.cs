using System.Text;
using XeStreamKit.Devices.Posix;

namespace XeStreamKit.Devices.Vfio;

/// <summary>
/// A VFIO device opened the way the kernel requires before VFIO_DEVICE_FEATURE works:
/// <list type="bullet">
/// <item>cdev (<c>/dev/vfio/devices/vfioN</c>): open it, open <c>/dev/iommu</c> and
/// VFIO_DEVICE_BIND_IOMMUFD. Until the bind, every ioctl but the bind fails with EINVAL
/// (vfio_device_fops_unl_ioctl checks <c>access_granted</c>); migration needs no IOAS
/// attached. The bind fails with EBUSY while the device's group is open elsewhere.</item>
/// <item>group (<c>/dev/vfio/&lt;group&gt;</c>): open the container <c>/dev/vfio/vfio</c>,
/// VFIO_GET_API_VERSION (must be 0), open the group, VFIO_GROUP_GET_STATUS (must be viable),
/// VFIO_GROUP_SET_CONTAINER, VFIO_CHECK_EXTENSION + VFIO_SET_IOMMU (type1v2, type1 or
/// no-IOMMU), then VFIO_GROUP_GET_DEVICE_FD with the device name (its PCI address).</item>
/// </list>
/// Failures raise <see cref="DeviceException"/> naming the call.
/// </summary>
internal sealed unsafe class VfioDeviceFile : IVfioDeviceFile
{
    /// <summary>Where the iommufd lives.</summary>
    public const string IommuPath = "/dev/iommu";

    /// <summary>Where the legacy container lives.</summary>
    public const string ContainerPath = "/dev/vfio/vfio";

    private int _deviceFd;
    private int _iommuFd;
    private int _groupFd;
    private int _containerFd;

    private VfioDeviceFile(int deviceFd, int iommuFd, int groupFd, int containerFd)
    {
        _deviceFd = deviceFd;
        _iommuFd = iommuFd;
        _groupFd = groupFd;
        _containerFd = containerFd;
    }

    /// <summary>Wraps a device fd that is already usable (bound, or from a group). Takes ownership.</summary>
    public static VfioDeviceFile FromDeviceFd(int deviceFd) => new(deviceFd, -1, -1, -1);

    /// <summary>Opens a VFIO device cdev and binds it to a new iommufd.</summary>
    public static VfioDeviceFile OpenCdev(string cdevPath)
    {
        var device = OpenOrThrow(cdevPath);
        var iommu = -1;
        try
        {
            iommu = OpenOrThrow(IommuPath, "a VFIO cdev must be bound to an iommufd before its features can be used");
            var bind = new VfioDeviceBindIommufd
            {
                Argsz = (uint)sizeof(VfioDeviceBindIommufd),
                Flags = 0,
                Iommufd = iommu,
            };
            if (LibC.Ioctl(device, VfioUapi.VFIO_DEVICE_BIND_IOMMUFD, (nint)(&bind)) < 0)
            {
                var errno = -LibC.LastErrorNegated();
                throw new DeviceException($"VFIO_DEVICE_BIND_IOMMUFD of {cdevPath}", errno,
                    errno == (int)Errno.EBUSY ? "the device is in use (is its group open, e.g. by a VM?)" : null);
            }
            return new VfioDeviceFile(device, iommu, -1, -1);
        }
        catch
        {
            if (iommu >= 0) LibC.Close(iommu);
            LibC.Close(device);
            throw;
        }
    }

    /// <summary>Opens device <paramref name="deviceName"/> (e.g. <c>0000:03:00.1</c>) of VFIO
    /// group <paramref name="groupPath"/> through a new container.</summary>
    public static VfioDeviceFile OpenGroup(string groupPath, string deviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceName);
        int container = -1, group = -1;
        try
        {
            container = OpenOrThrow(ContainerPath);
            var version = LibC.Ioctl(container, VfioUapi.VFIO_GET_API_VERSION, 0);
            if (version < 0) throw IoctlFailed("VFIO_GET_API_VERSION");
            if (version != VfioUapi.ApiVersion)
                throw new DeviceException("VFIO_GET_API_VERSION", (int)Errno.EINVAL,
                    $"the kernel speaks VFIO API {version}, this code speaks {VfioUapi.ApiVersion}");

            group = OpenOrThrow(groupPath);
            var status = new VfioGroupStatus { Argsz = (uint)sizeof(VfioGroupStatus) };
            if (LibC.Ioctl(group, VfioUapi.VFIO_GROUP_GET_STATUS, (nint)(&status)) < 0)
                throw IoctlFailed($"VFIO_GROUP_GET_STATUS of {groupPath}");
            if ((status.Flags & VfioUapi.VFIO_GROUP_FLAGS_VIABLE) == 0)
                throw new DeviceException($"VFIO_GROUP_GET_STATUS of {groupPath}", (int)Errno.EINVAL,
                    $"the group is not viable (flags 0x{status.Flags:x}): every device in the IOMMU group must be bound to a VFIO driver");

            var containerArg = container;
            if (LibC.Ioctl(group, VfioUapi.VFIO_GROUP_SET_CONTAINER, (nint)(&containerArg)) < 0)
                throw IoctlFailed($"VFIO_GROUP_SET_CONTAINER of {groupPath}");

            SetIommu(container);

            var name = Encoding.UTF8.GetBytes(deviceName + "\0");
            int device;
            fixed (byte* p = name) device = LibC.Ioctl(group, VfioUapi.VFIO_GROUP_GET_DEVICE_FD, (nint)p);
            if (device < 0) throw IoctlFailed($"VFIO_GROUP_GET_DEVICE_FD({deviceName}) of {groupPath}");
            return new VfioDeviceFile(device, -1, group, container);
        }
        catch
        {
            if (group >= 0) LibC.Close(group);
            if (container >= 0) LibC.Close(container);
            throw;
        }
    }

    private static void SetIommu(int container)
    {
        foreach (var type in (ReadOnlySpan<int>)[VfioUapi.VFIO_TYPE1v2_IOMMU, VfioUapi.VFIO_TYPE1_IOMMU, VfioUapi.VFIO_NOIOMMU_IOMMU])
        {
            if (LibC.Ioctl(container, VfioUapi.VFIO_CHECK_EXTENSION, type) <= 0) continue;
            if (LibC.Ioctl(container, VfioUapi.VFIO_SET_IOMMU, type) < 0) throw IoctlFailed($"VFIO_SET_IOMMU({type})");
            return;
        }
        throw new DeviceException("VFIO_CHECK_EXTENSION", (int)Errno.ENODEV,
            "the container supports none of the IOMMU types type1v2, type1, no-IOMMU");
    }

    private static int OpenOrThrow(string path, string? detail = null)
    {
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0) throw new DeviceException($"open of {path}", -LibC.LastErrorNegated(), detail);
        return fd;
    }

    private static DeviceException IoctlFailed(string operation) => new(operation, -LibC.LastErrorNegated());

    public int DeviceFeature(Span<byte> argument)
    {
        ObjectDisposedException.ThrowIf(_deviceFd < 0, this);
        fixed (byte* p = argument)
        {
            var r = LibC.Ioctl(_deviceFd, VfioUapi.VFIO_DEVICE_FEATURE, (nint)p);
            return r >= 0 ? r : LibC.LastErrorNegated();
        }
    }

    public int DeviceReset()
    {
        ObjectDisposedException.ThrowIf(_deviceFd < 0, this);
        var r = LibC.Ioctl(_deviceFd, VfioUapi.VFIO_DEVICE_RESET, 0);
        return r >= 0 ? 0 : LibC.LastErrorNegated();
    }

    public int Read(int fd, Span<byte> buffer) => LinuxFileSyscalls.Instance.Read(fd, buffer);

    public int Write(int fd, ReadOnlySpan<byte> buffer) => LinuxFileSyscalls.Instance.Write(fd, buffer);

    public int Close(int fd) => LinuxFileSyscalls.Instance.Close(fd);

    public void Dispose()
    {
        // The device first: closing it unbinds it from the iommufd / releases it from the group.
        foreach (var fd in (ReadOnlySpan<int>)[Interlocked.Exchange(ref _deviceFd, -1), Interlocked.Exchange(ref _iommuFd, -1),
                     Interlocked.Exchange(ref _groupFd, -1), Interlocked.Exchange(ref _containerFd, -1)])
            if (fd >= 0) LibC.Close(fd);
    }
}
