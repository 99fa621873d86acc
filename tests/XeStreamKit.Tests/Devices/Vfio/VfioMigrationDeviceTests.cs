using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Driver;
using S = XeStreamKit.Devices.Vfio.VfioDeviceState;

namespace XeStreamKit.Tests.Devices.Vfio;

/// <summary>The VFIO backend against a fake of xe-vfio-pci over a scripted PF.</summary>
public class VfioMigrationDeviceTests
{
    private static readonly byte[] Stream = Vectors.Sample(200_000);

    private static (VfioMigrationDevice Device, FakeXeVfioPci Kernel, ScriptedDevice Pf) Open(
        byte[]? save = null, VfioMigrationFlags flags = VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P)
    {
        var pf = new ScriptedDevice(save ?? Stream);
        var kernel = new FakeXeVfioPci(pf, flags);
        return (VfioMigrationDevice.Create(kernel, "vfio:fake"), kernel, pf);
    }

    private static byte[] ReadToEnd(Stream s, int bufferSize = 64 * 1024)
    {
        var ms = new MemoryStream();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = s.Read(buffer)) > 0) ms.Write(buffer, 0, n);
        s.Read(buffer).ShouldBe(0);
        return ms.ToArray();
    }

    private static void ShouldBeCleanSingleArcs(FakeXeVfioPci kernel)
    {
        kernel.MultiStepRequests.ShouldBe(0);
        kernel.Warnings.ShouldBe(0);
        kernel.VfStopped.ShouldBeFalse();
    }

    [Fact]
    public void Open_reads_the_migration_flags_and_reports_p2p()
    {
        var (device, _, _) = Open();
        device.MigrationFlags.ShouldBe(VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P);
        device.SupportsP2P.ShouldBeTrue();
        device.Description.ShouldBe("vfio:fake");
        device.GetState().ShouldBe(S.RUNNING);
    }

    [Fact]
    public void A_device_without_migration_is_ENOTTY_and_the_file_is_closed()
    {
        var kernel = new FakeXeVfioPci(new ScriptedDevice()) { MigrationSupported = false };
        var e = Should.Throw<DeviceException>(() => VfioMigrationDevice.Create(kernel, "vfio:fake"));
        e.Message.ShouldStartWith("VFIO_DEVICE_FEATURE(GET MIGRATION) failed with ENOTTY");
        kernel.Disposed.ShouldBeTrue();
    }

    [Fact]
    public void A_device_without_stop_copy_is_refused()
    {
        var kernel = new FakeXeVfioPci(new ScriptedDevice(), VfioMigrationFlags.P2P);
        Should.Throw<DeviceException>(() => VfioMigrationDevice.Create(kernel, "vfio:fake"))
            .Message.ShouldStartWith("VFIO_DEVICE_FEATURE(GET MIGRATION) failed with EOPNOTSUPP: migration flags 0x2 lack");
    }

    [Fact]
    public void Save_walks_running_p2p_stop_stop_copy_reads_to_eof_and_returns_to_stop()
    {
        var (device, kernel, pf) = Open();
        device.Pause();
        kernel.State.ShouldBe(S.STOP);
        var data = device.BeginSave();
        kernel.State.ShouldBe(S.STOP_COPY);
        data.CanRead.ShouldBeTrue();
        data.CanWrite.ShouldBeFalse();
        ReadToEnd(data).ShouldBe(Stream);
        device.FinishSave();
        device.Resume();

        kernel.Requests.ShouldBe(
        [
            "RUNNING -> RUNNING_P2P", "RUNNING_P2P -> STOP", "STOP -> STOP_COPY", "STOP_COPY -> STOP",
            "STOP -> RUNNING_P2P", "RUNNING_P2P -> RUNNING",
        ]);
        pf.Calls.ShouldBe(["Pause", "BeginSave", "FinishSave", "Resume"]);
        kernel.State.ShouldBe(S.RUNNING);
        kernel.OpenDataFds.ShouldBe(0);
        ShouldBeCleanSingleArcs(kernel);
    }

    [Fact]
    public void Restore_walks_stop_resuming_stop_running_and_delivers_every_byte()
    {
        var (device, kernel, pf) = Open();
        device.Pause();
        var sink = device.BeginRestore();
        sink.CanWrite.ShouldBeTrue();
        kernel.State.ShouldBe(S.RESUMING);
        // Writes may split headers and payloads anywhere.
        for (var i = 0; i < Stream.Length; i += 997) sink.Write(Stream, i, Math.Min(997, Stream.Length - i));
        device.FinishRestore();
        device.Resume();

        pf.Restored.ToArray().ShouldBe(Stream);
        kernel.Requests.ShouldBe(
        [
            "RUNNING -> RUNNING_P2P", "RUNNING_P2P -> STOP", "STOP -> RESUMING", "RESUMING -> STOP",
            "STOP -> RUNNING_P2P", "RUNNING_P2P -> RUNNING",
        ]);
        pf.Calls.ShouldBe(["Pause", "BeginRestore", "FinishRestore", "Resume"]);
        ShouldBeCleanSingleArcs(kernel);
        kernel.OpenDataFds.ShouldBe(0);
    }

    [Fact]
    public void BeginSave_without_pause_pauses_on_the_way_one_arc_at_a_time()
    {
        var (device, kernel, pf) = Open();
        ReadToEnd(device.BeginSave()).ShouldBe(Stream);
        device.FinishSave();
        kernel.Requests.ShouldBe(["RUNNING -> RUNNING_P2P", "RUNNING_P2P -> STOP", "STOP -> STOP_COPY", "STOP_COPY -> STOP"]);
        pf.Calls.ShouldBe(["Pause", "BeginSave", "FinishSave"]);
        ShouldBeCleanSingleArcs(kernel);
    }

    [Fact]
    public void A_device_without_p2p_pauses_with_running_to_stop()
    {
        var (device, kernel, _) = Open(flags: VfioMigrationFlags.STOP_COPY);
        device.SupportsP2P.ShouldBeFalse();
        device.Pause();
        device.Resume();
        kernel.Requests.ShouldBe(["RUNNING -> STOP", "STOP -> RUNNING"]);
        ShouldBeCleanSingleArcs(kernel);
    }

    [Fact]
    public void A_failed_restore_names_the_arc_and_the_errno_and_stays_in_resuming()
    {
        var (device, kernel, pf) = Open();
        pf.Failures["FinishRestore"] = Errno.EIO;
        device.Pause();
        device.BeginRestore().Write(Vectors.MinimalStream);
        var e = Should.Throw<DeviceException>(device.FinishRestore);
        e.Message.ShouldBe("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE RESUMING -> STOP) failed with EIO");
        e.Errno.ShouldBe((int)Errno.EIO);
        e.Operation.ShouldBe("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE RESUMING -> STOP)");
        device.GetState().ShouldBe(S.RESUMING);
        ShouldBeCleanSingleArcs(kernel);
    }

    [Theory]
    [InlineData("Pause", Errno.EBUSY, "RUNNING -> RUNNING_P2P")]
    [InlineData("BeginSave", Errno.EPERM, "STOP -> STOP_COPY")]
    [InlineData("FinishSave", Errno.EIO, "STOP_COPY -> STOP")]
    public void A_failed_save_step_names_its_arc(string step, Errno errno, string arc)
    {
        var (device, kernel, pf) = Open();
        pf.Failures[step] = errno;
        var e = Should.Throw<DeviceException>(() =>
        {
            device.Pause();
            ReadToEnd(device.BeginSave());
            device.FinishSave();
        });
        e.Message.ShouldBe($"VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE {arc}) failed with {errno}");
        ShouldBeCleanSingleArcs(kernel);
    }

    [Fact]
    public void An_arc_the_kernel_refuses_is_reported_with_its_name_and_EINVAL()
    {
        var (device, kernel, _) = Open();
        device.Pause();
        kernel.Interpose = op => op == "SET MIG_DEVICE_STATE" ? Errno.EINVAL : null;
        var e = Should.Throw<DeviceException>(device.BeginSave);
        e.Message.ShouldBe("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE STOP -> STOP_COPY) failed with EINVAL");
        e.ErrnoName.ShouldBe("EINVAL");
    }

    [Fact]
    public void A_save_fd_left_unread_is_dropped_by_finish_and_the_next_save_gets_a_new_one()
    {
        var (device, kernel, _) = Open();
        device.Pause();
        var first = device.BeginSave();
        first.ReadByte().ShouldBe(Stream[0]);
        device.FinishSave();
        Should.Throw<ObjectDisposedException>(() => first.ReadByte());
        ReadToEnd(device.BeginSave()).ShouldBe(Stream);
        device.FinishSave();
        kernel.OpenDataFds.ShouldBe(0);
    }

    [Fact]
    public void A_second_session_without_finishing_the_first_is_a_usage_error()
    {
        var (device, _, _) = Open();
        device.BeginSave();
        Should.Throw<InvalidOperationException>(device.BeginRestore);
    }

    [Fact]
    public void Beginning_a_session_in_its_own_state_without_a_fd_is_EALREADY()
    {
        var (device, kernel, _) = Open();
        kernel.State = S.RESUMING; // e.g. a failed finish left it there
        Should.Throw<DeviceException>(device.BeginRestore).Message
            .ShouldStartWith("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE RESUMING -> RESUMING) failed with EALREADY");
        kernel.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void Nothing_is_requested_from_error_because_only_a_reset_leaves_it()
    {
        var (device, kernel, _) = Open();
        kernel.State = S.ERROR;
        var e = Should.Throw<DeviceException>(device.Resume);
        e.Message.ShouldBe("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE ERROR -> RUNNING) failed with EINVAL: "
            + "the device is in ERROR and needs VFIO_DEVICE_RESET; nothing was requested");
        kernel.Requests.ShouldBeEmpty();
        kernel.VfStopped.ShouldBeFalse();
    }

    [Fact]
    public void Interrupted_ioctls_are_retried_and_the_state_is_asked_again()
    {
        var (device, kernel, pf) = Open();
        var interrupted = new HashSet<string>();
        kernel.Interpose = op => interrupted.Add(op) ? Errno.EINTR : null; // the first of each kind
        device.Pause();
        ReadToEnd(device.BeginSave()).ShouldBe(Stream);
        device.FinishSave();
        device.EstimateSize().ShouldBe(4096);
        interrupted.ShouldBe(["GET MIG_DEVICE_STATE", "SET MIG_DEVICE_STATE", "read", "GET MIG_DATA_SIZE"], ignoreOrder: true);
        pf.Calls.ShouldBe(["Pause", "BeginSave", "FinishSave", "EstimateSize"]);
        ShouldBeCleanSingleArcs(kernel);
    }

    [Fact]
    public void Endless_interruptions_end_in_an_error_rather_than_a_hang()
    {
        var (device, kernel, _) = Open();
        kernel.Interpose = op => op == "SET MIG_DEVICE_STATE" ? Errno.EINTR : null;
        Should.Throw<DeviceException>(device.Pause).Message
            .ShouldBe("VFIO_DEVICE_FEATURE(MIG_DEVICE_STATE RUNNING -> RUNNING_P2P) failed with EINTR: interrupted 64 times");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Short_reads_are_filled_and_eof_is_zero(int chunk)
    {
        var (device, kernel, _) = Open();
        kernel.MaxReadChunk = chunk;
        var data = device.BeginSave();
        var buffer = new byte[10_000];
        data.Read(buffer).ShouldBe(buffer.Length);
        buffer.ShouldBe(Stream[..10_000]);
        ReadToEnd(data, 65_536).ShouldBe(Stream[10_000..]);
        data.Read(buffer).ShouldBe(0);
    }

    [Fact]
    public void Short_and_interrupted_writes_deliver_every_byte_in_order()
    {
        var (device, kernel, pf) = Open();
        kernel.MaxWriteChunk = 13;
        var writes = 0;
        kernel.Interpose = op => op == "write" && ++writes % 5 == 0 ? Errno.EINTR : null;
        device.Pause();
        device.BeginRestore().Write(Stream);
        device.FinishRestore();
        pf.Restored.ToArray().ShouldBe(Stream);
    }

    [Fact]
    public void A_read_error_after_some_data_delivers_the_data_first()
    {
        var (device, _, pf) = Open();
        pf.SaveFailsAfter = 1000;
        pf.SaveReadErrno = Errno.EIO;
        var data = device.BeginSave();
        var buffer = new byte[4096];
        data.Read(buffer).ShouldBe(1000);
        buffer[..1000].ShouldBe(Stream[..1000]);
        var e = Should.Throw<DeviceException>(() => data.Read(buffer));
        e.Message.ShouldBe("read of VFIO data fd (STOP_COPY) at offset 1000 failed with EIO");
    }

    [Fact]
    public void A_rejected_write_names_the_offset_and_the_errno()
    {
        var (device, _, pf) = Open();
        pf.RestoreFailsAfter = 24;
        pf.RestoreWriteErrno = Errno.EINVAL;
        var sink = device.BeginRestore();
        sink.Write(Stream, 0, 24);
        Should.Throw<DeviceException>(() => sink.Write(Stream, 24, 100)).Message
            .ShouldBe("write of VFIO data fd (RESUMING) at offset 24 failed with EINVAL");
    }

    [Fact]
    public void EstimateSize_is_mig_data_size()
    {
        var (device, _, pf) = Open();
        pf.Size = 123_456_789_012;
        device.EstimateSize().ShouldBe(123_456_789_012);
    }

    [Fact]
    public void EstimateSize_is_null_on_a_kernel_without_mig_data_size()
    {
        var (device, kernel, _) = Open();
        kernel.HasDataSizeFeature = false;
        device.EstimateSize().ShouldBeNull();
    }

    [Fact]
    public void EstimateSize_reports_an_error_the_driver_passed_as_a_length()
    {
        var (device, _, pf) = Open();
        pf.Failures["EstimateSize"] = Errno.ENOPKG;
        var e = Should.Throw<DeviceException>(() => device.EstimateSize());
        e.Errno.ShouldBe((int)Errno.ENOPKG);
        e.Message.ShouldBe("VFIO_DEVICE_FEATURE(GET MIG_DATA_SIZE) failed with ENOPKG: the driver returned the error as the length 0xffffffffffffffbf");
    }

    [Fact]
    public void Dispose_closes_the_data_fd_and_the_device()
    {
        var (device, kernel, _) = Open();
        device.BeginSave();
        kernel.OpenDataFds.ShouldBe(1);
        device.Dispose();
        kernel.OpenDataFds.ShouldBe(0);
        kernel.Disposed.ShouldBeTrue();
        Should.Throw<ObjectDisposedException>(device.Pause);
    }

    [Fact]
    public void The_real_ioctl_reaches_the_kernel_and_its_errno_comes_back()
    {
        // /dev/null is no VFIO device: the kernel answers the feature ioctl with ENOTTY.
        var fd = XeStreamKit.Devices.Posix.LinuxFileSyscalls.Instance.Open("/dev/null", XeStreamKit.Devices.Posix.FileAccessMode.Read);
        fd.ShouldBeGreaterThanOrEqualTo(0);
        Should.Throw<DeviceException>(() => VfioMigrationDevice.Create(VfioDeviceFile.FromDeviceFd(fd), "vfio:/dev/null"))
            .Message.ShouldStartWith("VFIO_DEVICE_FEATURE(GET MIGRATION) failed with ENOTTY");
    }

    [Fact]
    public void Opening_a_missing_cdev_names_the_path_and_ENOENT()
    {
        Should.Throw<DeviceException>(() => VfioMigrationDevice.OpenCdev("/nonexistent/vfio0"))
            .Message.ShouldBe("open of /nonexistent/vfio0 failed with ENOENT");
    }

    [Fact]
    public void Opening_a_missing_group_fails_with_ENOENT()
    {
        // Without VFIO on this machine the container is missing; with it, the group is.
        var e = Should.Throw<DeviceException>(() => VfioMigrationDevice.OpenGroup("/nonexistent/42", "0000:00:00.0"));
        e.Errno.ShouldBe((int)Errno.ENOENT);
        e.Operation.ShouldBeOneOf("open of /dev/vfio/vfio", "open of /nonexistent/42");
    }
}
