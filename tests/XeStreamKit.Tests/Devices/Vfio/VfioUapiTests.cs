using System.Runtime.InteropServices;
using XeStreamKit.Devices.Vfio;

namespace XeStreamKit.Tests.Devices.Vfio;

/// <summary>The uAPI constants and layouts against include/uapi/linux/vfio.h (docs/driver.md#vfio-uapi).</summary>
public class VfioUapiTests
{
    [Theory]
    [InlineData(VfioUapi.VFIO_DEVICE_FEATURE, 0x3B75u)]
    [InlineData(VfioUapi.VFIO_MIG_GET_PRECOPY_INFO, 0x3B79u)]
    [InlineData(VfioUapi.VFIO_DEVICE_RESET, 0x3B6Fu)]
    [InlineData(VfioUapi.VFIO_GET_API_VERSION, 0x3B64u)]
    [InlineData(VfioUapi.VFIO_CHECK_EXTENSION, 0x3B65u)]
    [InlineData(VfioUapi.VFIO_SET_IOMMU, 0x3B66u)]
    [InlineData(VfioUapi.VFIO_GROUP_GET_STATUS, 0x3B67u)]
    [InlineData(VfioUapi.VFIO_GROUP_SET_CONTAINER, 0x3B68u)]
    [InlineData(VfioUapi.VFIO_GROUP_GET_DEVICE_FD, 0x3B6Au)]
    [InlineData(VfioUapi.VFIO_DEVICE_BIND_IOMMUFD, 0x3B76u)]
    public void Ioctl_numbers_are_the_uapi_values(uint actual, uint expected) => actual.ShouldBe(expected);

    [Theory]
    [InlineData(0, 0x3B64u)]
    [InlineData(17, 0x3B75u)]
    [InlineData(21, 0x3B79u)]
    public void IO_macro_is_type_shifted_by_eight_or_number(uint n, uint expected) =>
        VfioUapi.IO(';', 100 + n).ShouldBe(expected);

    [Fact]
    public void Feature_flags_and_numbers_are_the_uapi_values()
    {
        VfioUapi.VFIO_DEVICE_FEATURE_MASK.ShouldBe(0xffffu);
        VfioUapi.VFIO_DEVICE_FEATURE_GET.ShouldBe(1u << 16);
        VfioUapi.VFIO_DEVICE_FEATURE_SET.ShouldBe(1u << 17);
        VfioUapi.VFIO_DEVICE_FEATURE_PROBE.ShouldBe(1u << 18);
        VfioUapi.VFIO_DEVICE_FEATURE_MIGRATION.ShouldBe(1u);
        VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE.ShouldBe(2u);
        VfioUapi.VFIO_DEVICE_FEATURE_MIG_DATA_SIZE.ShouldBe(9u);
        ((ulong)VfioMigrationFlags.STOP_COPY).ShouldBe(1ul);
        ((ulong)VfioMigrationFlags.P2P).ShouldBe(2ul);
        ((ulong)VfioMigrationFlags.PRE_COPY).ShouldBe(4ul);
        VfioUapi.VFIO_GROUP_FLAGS_VIABLE.ShouldBe(1u);
        (VfioUapi.VFIO_TYPE1_IOMMU, VfioUapi.VFIO_TYPE1v2_IOMMU, VfioUapi.VFIO_NOIOMMU_IOMMU).ShouldBe((1, 3, 8));
    }

    [Fact]
    public void Device_states_are_the_enum_values()
    {
        Enum.GetValues<VfioDeviceState>().Select(s => ((uint)s, s.ToString())).ShouldBe(
        [
            (0u, "ERROR"), (1u, "STOP"), (2u, "RUNNING"), (3u, "STOP_COPY"),
            (4u, "RESUMING"), (5u, "RUNNING_P2P"), (6u, "PRE_COPY"), (7u, "PRE_COPY_P2P"),
        ]);
    }

    [Theory]
    [InlineData(typeof(VfioDeviceFeatureHeader), 8, "Argsz:0 Flags:4")]
    [InlineData(typeof(VfioDeviceFeatureMigration), 8, "Flags:0")]
    [InlineData(typeof(VfioDeviceFeatureMigState), 8, "DeviceState:0 DataFd:4")]
    [InlineData(typeof(VfioDeviceFeatureMigDataSize), 8, "StopCopyLength:0")]
    [InlineData(typeof(VfioFeatureMigration), 16, "Header:0 Data:8")]
    [InlineData(typeof(VfioFeatureMigState), 16, "Header:0 Data:8")]
    [InlineData(typeof(VfioFeatureMigDataSize), 16, "Header:0 Data:8")]
    [InlineData(typeof(VfioGroupStatus), 8, "Argsz:0 Flags:4")]
    [InlineData(typeof(VfioDeviceBindIommufd), 24, "Argsz:0 Flags:4 Iommufd:8 OutDevid:12 TokenUuidPtr:16")]
    public void Struct_sizes_and_field_offsets_match_the_uapi(Type type, int size, string offsets)
    {
        Marshal.SizeOf(type).ShouldBe(size);
        string.Join(" ", type.GetFields().Select(f => $"{f.Name}:{Marshal.OffsetOf(type, f.Name)}")).ShouldBe(offsets);
    }
}
