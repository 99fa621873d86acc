using System.Runtime.InteropServices;

namespace XeStreamKit.Devices.Vfio;

/// <summary>
/// Constants of the VFIO uAPI (include/uapi/linux/vfio.h; docs/driver.md#vfio-uapi) used by the migration
/// backend. Every VFIO ioctl is <c>_IO(';', 100 + n)</c>: direction and size bits are 0, so the
/// request number is <c>(0x3B &lt;&lt; 8) | (100 + n)</c> on every architecture.
/// </summary>
internal static class VfioUapi
{
    /// <summary><c>VFIO_TYPE</c> = <c>';'</c>.</summary>
    public const uint Type = ';';

    /// <summary><c>VFIO_BASE</c>.</summary>
    public const uint Base = 100;

    /// <summary><c>VFIO_API_VERSION</c>, what VFIO_GET_API_VERSION returns.</summary>
    public const int ApiVersion = 0;

    /// <summary><c>_IO(type, nr)</c> from asm-generic/ioctl.h.</summary>
    public static uint IO(uint type, uint nr) => (type << 8) | nr;

    // Container (/dev/vfio/vfio).
    public const uint VFIO_GET_API_VERSION = (Type << 8) | (Base + 0);      // 0x3B64
    public const uint VFIO_CHECK_EXTENSION = (Type << 8) | (Base + 1);      // 0x3B65
    public const uint VFIO_SET_IOMMU = (Type << 8) | (Base + 2);            // 0x3B66

    // Group (/dev/vfio/<group>).
    public const uint VFIO_GROUP_GET_STATUS = (Type << 8) | (Base + 3);     // 0x3B67
    public const uint VFIO_GROUP_SET_CONTAINER = (Type << 8) | (Base + 4);  // 0x3B68
    public const uint VFIO_GROUP_GET_DEVICE_FD = (Type << 8) | (Base + 6);  // 0x3B6A

    // Device.
    public const uint VFIO_DEVICE_RESET = (Type << 8) | (Base + 11);        // 0x3B6F
    public const uint VFIO_DEVICE_FEATURE = (Type << 8) | (Base + 17);      // 0x3B75
    public const uint VFIO_DEVICE_BIND_IOMMUFD = (Type << 8) | (Base + 18); // 0x3B76

    // Migration data fd (PRE_COPY only; xe has no PRE_COPY, kept for the uAPI tests).
    public const uint VFIO_MIG_GET_PRECOPY_INFO = (Type << 8) | (Base + 21); // 0x3B79

    // IOMMU types for VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU.
    public const int VFIO_TYPE1_IOMMU = 1;
    public const int VFIO_TYPE1v2_IOMMU = 3;
    public const int VFIO_NOIOMMU_IOMMU = 8;

    /// <summary><c>VFIO_GROUP_FLAGS_VIABLE</c>.</summary>
    public const uint VFIO_GROUP_FLAGS_VIABLE = 1 << 0;

    // struct vfio_device_feature flags.
    public const uint VFIO_DEVICE_FEATURE_MASK = 0xffff;
    public const uint VFIO_DEVICE_FEATURE_GET = 1 << 16;
    public const uint VFIO_DEVICE_FEATURE_SET = 1 << 17;
    public const uint VFIO_DEVICE_FEATURE_PROBE = 1 << 18;

    // Feature numbers.
    public const uint VFIO_DEVICE_FEATURE_MIGRATION = 1;
    public const uint VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE = 2;
    public const uint VFIO_DEVICE_FEATURE_MIG_DATA_SIZE = 9;
}

/// <summary><c>enum vfio_device_mig_state</c>.</summary>
public enum VfioDeviceState : uint
{
    /// <summary>The device failed and must be reset (VFIO_DEVICE_RESET).</summary>
    ERROR = 0,
    /// <summary>Stopped: no DMA, no interrupts, internal state frozen.</summary>
    STOP = 1,
    /// <summary>Running normally.</summary>
    RUNNING = 2,
    /// <summary>Stopped, and the internal state is read out through the data fd.</summary>
    STOP_COPY = 3,
    /// <summary>Stopped, and a new internal state is written through the data fd.</summary>
    RESUMING = 4,
    /// <summary>Running, but initiating no new peer-to-peer DMA (xe: the VF is paused).</summary>
    RUNNING_P2P = 5,
    /// <summary>Running while tracking state changes (not supported by xe).</summary>
    PRE_COPY = 6,
    /// <summary>PRE_COPY with P2P quiesced (not supported by xe).</summary>
    PRE_COPY_P2P = 7,
}

/// <summary><c>struct vfio_device_feature_migration.flags</c>: the optional states a device supports.</summary>
[Flags]
public enum VfioMigrationFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>STOP, STOP_COPY and RESUMING (mandatory).</summary>
    STOP_COPY = 1 << 0,
    /// <summary>RUNNING_P2P.</summary>
    P2P = 1 << 1,
    /// <summary>PRE_COPY (and PRE_COPY_P2P with P2P).</summary>
    PRE_COPY = 1 << 2,
}

/// <summary><c>struct vfio_device_feature</c> without its flexible <c>data[]</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureHeader
{
    public uint Argsz;
    public uint Flags;
}

/// <summary><c>struct vfio_device_feature_migration</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigration
{
    public ulong Flags;
}

/// <summary><c>struct vfio_device_feature_mig_state</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigState
{
    public uint DeviceState;
    public int DataFd;
}

/// <summary><c>struct vfio_device_feature_mig_data_size</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigDataSize
{
    public ulong StopCopyLength;
}

/// <summary>VFIO_DEVICE_FEATURE argument for MIGRATION: the header, then the data at byte 8
/// (where an <c>__aligned_u64</c> lands without padding).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioFeatureMigration
{
    public VfioDeviceFeatureHeader Header;
    public VfioDeviceFeatureMigration Data;
}

/// <summary>VFIO_DEVICE_FEATURE argument for MIG_DEVICE_STATE (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioFeatureMigState
{
    public VfioDeviceFeatureHeader Header;
    public VfioDeviceFeatureMigState Data;
}

/// <summary>VFIO_DEVICE_FEATURE argument for MIG_DATA_SIZE (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioFeatureMigDataSize
{
    public VfioDeviceFeatureHeader Header;
    public VfioDeviceFeatureMigDataSize Data;
}

/// <summary><c>struct vfio_group_status</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioGroupStatus
{
    public uint Argsz;
    public uint Flags;
}

/// <summary><c>struct vfio_device_bind_iommufd</c> (24 bytes; kernels before the token field
/// read only the first 16).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceBindIommufd
{
    public uint Argsz;
    public uint Flags;
    public int Iommufd;
    public uint OutDevid;
    public ulong TokenUuidPtr;
}
