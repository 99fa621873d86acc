using System.Buffers.Binary;
using XeStreamKit.Tests.Support;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Driver;
using S = XeStreamKit.Devices.Vfio.VfioDeviceState;

namespace XeStreamKit.Tests.Devices.Vfio;

/// <summary>The fake is the oracle of the VFIO tests: it must answer raw feature ioctls as the kernel does.</summary>
public class FakeXeVfioPciTests
{
    private const uint Get = VfioUapi.VFIO_DEVICE_FEATURE_GET, Set = VfioUapi.VFIO_DEVICE_FEATURE_SET, Probe = VfioUapi.VFIO_DEVICE_FEATURE_PROBE;
    private const uint MigState = VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;

    private static byte[] Argument(uint argsz, uint flags, uint state = 0)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(b, argsz);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), state);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), 12345);
        return b;
    }

    [Fact]
    public void A_combination_request_is_split_by_the_core_and_returns_the_fd_at_its_end()
    {
        var pf = new ScriptedDevice([1, 2, 3]);
        var fake = new FakeXeVfioPci(pf);
        var arg = Argument(16, Set | MigState, (uint)S.STOP_COPY);
        fake.DeviceFeature(arg).ShouldBe(0);
        fake.State.ShouldBe(S.STOP_COPY);
        fake.MultiStepRequests.ShouldBe(1);
        var fd = BinaryPrimitives.ReadInt32LittleEndian(arg.AsSpan(12));
        var buffer = new byte[8];
        fake.Read(fd, buffer).ShouldBe(3);
        fake.Read(fd, buffer).ShouldBe(0);
        fake.Write(fd, buffer).ShouldBe(-(int)Errno.EBADF);
        pf.Calls.ShouldBe(["Pause", "BeginSave"]);
    }

    [Fact]
    public void Leaving_stop_copy_drops_the_file_so_later_reads_are_ENODEV()
    {
        var fake = new FakeXeVfioPci(new ScriptedDevice([1, 2, 3]));
        var arg = Argument(16, Set | MigState, (uint)S.STOP_COPY);
        fake.DeviceFeature(arg).ShouldBe(0);
        var fd = BinaryPrimitives.ReadInt32LittleEndian(arg.AsSpan(12));
        fake.DeviceFeature(Argument(16, Set | MigState, (uint)S.STOP)).ShouldBe(0);
        fake.Read(fd, new byte[8]).ShouldBe(-(int)Errno.ENODEV);
        fake.Close(fd).ShouldBe(0);
        fake.Close(fd).ShouldBe(-(int)Errno.EBADF);
    }

    [Fact]
    public void A_state_xe_lacks_is_EINVAL_and_stops_the_vf()
    {
        var fake = new FakeXeVfioPci(new ScriptedDevice());
        fake.DeviceFeature(Argument(16, Set | MigState, (uint)S.PRE_COPY)).ShouldBe(-(int)Errno.EINVAL);
        fake.VfStopped.ShouldBeTrue();
        fake.State.ShouldBe(S.RUNNING);
    }

    [Fact]
    public void Get_returns_the_state_and_no_fd()
    {
        var fake = new FakeXeVfioPci(new ScriptedDevice()) { State = S.RUNNING_P2P };
        var arg = Argument(16, Get | MigState);
        fake.DeviceFeature(arg).ShouldBe(0);
        BinaryPrimitives.ReadUInt32LittleEndian(arg.AsSpan(8)).ShouldBe((uint)S.RUNNING_P2P);
        BinaryPrimitives.ReadInt32LittleEndian(arg.AsSpan(12)).ShouldBe(-1);
    }

    [Theory]
    [InlineData(4u, Get | MigState, -(int)Errno.EINVAL)]        // argsz below the header
    [InlineData(12u, Get | MigState, -(int)Errno.EINVAL)]       // data shorter than the feature's struct
    [InlineData(16u, Get | Set | MigState, -(int)Errno.EINVAL)] // GET and SET without PROBE
    [InlineData(16u, MigState, -(int)Errno.EINVAL)]             // neither GET nor SET
    [InlineData(16u, (1u << 20) | Get | MigState, -(int)Errno.EINVAL)] // unknown flag
    [InlineData(8u, Probe | Get | Set | MigState, 0)]           // probing needs no data
    [InlineData(16u, Set | VfioUapi.VFIO_DEVICE_FEATURE_MIGRATION, -(int)Errno.EINVAL)] // MIGRATION is GET only
    [InlineData(16u, Get | 42u, -(int)Errno.ENOTTY)]             // unknown feature
    public void The_argument_checks_are_the_kernel_ones(uint argsz, uint flags, int expected) =>
        new FakeXeVfioPci(new ScriptedDevice()).DeviceFeature(Argument(argsz, flags)).ShouldBe(expected);
}
