using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Debugfs;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Devices.Debugfs;

/// <summary>
/// End to end through named pipes: <see cref="DebugfsMigrationDevice"/> with real
/// open/read/write/close against <see cref="FifoDebugfsServer"/> playing the driver over a
/// scripted PF. Every step runs under <see cref="Timed"/>.
/// </summary>
public class DebugfsFifoTests
{
    // Larger than a pipe's 64 KiB buffer, so both sides block and wake many times.
    private static readonly byte[] Stream = Vectors.Sample(1 << 20);

    private static void WithServer(ScriptedDevice pf, Action<FifoDebugfsServer, DebugfsMigrationDevice> test)
    {
        using var server = new FifoDebugfsServer(pf);
        Timed.Run(() =>
        {
            using var device = server.Connect();
            test(server, device);
        }, onTimeout: server.Dispose);
        server.Faults.ShouldBeEmpty();
    }

    [Fact]
    public void Save_streams_the_pf_bytes_and_finishes()
    {
        var pf = new ScriptedDevice(Stream);
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            var got = device.SaveToBytes();
            device.Resume();

            got.ShouldBe(Stream);
            server.Events.ShouldBe(["pause", "save", $"migration_data: read {Stream.Length} bytes", "finish save", "resume"]);
        });
        pf.Calls.ShouldBe(["Pause", "BeginSave", "FinishSave", "Resume"]);
    }

    [Fact]
    public void A_save_read_through_the_pipes_is_a_well_formed_stream_for_the_core_reader()
    {
        var pf = new ScriptedDevice(Vectors.SmallDriverShaped());
        WithServer(pf, (_, device) =>
        {
            device.Pause();
            var types = new List<PacketType>();
            using (var reader = new MigrationStreamReader(device.BeginSave()))
                while (reader.ReadNextPacket()) types.Add(reader.Current.Type);
            device.FinishSave();
            types[0].ShouldBe(PacketType.Descriptor);
            types[^1].ShouldBe(PacketType.Trailer);
            types.Count.ShouldBe(8);
        });
    }

    [Fact]
    public void Restore_delivers_every_byte_then_finishes()
    {
        var pf = new ScriptedDevice();
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            var sink = device.BeginRestore();
            var rng = new Random(4);
            for (var i = 0; i < Stream.Length;)
            {
                var n = Math.Min(rng.Next(1, 100_000), Stream.Length - i);
                sink.Write(Stream, i, n);
                i += n;
            }
            device.FinishRestore();
            device.Resume();
            server.Events.ShouldBe(["pause", "restore", $"migration_data: wrote {Stream.Length} bytes", "finish restore", "resume"]);
        });
        pf.Restored.ToArray().ShouldBe(Stream);
        pf.Calls.ShouldBe(["Pause", "BeginRestore", "FinishRestore", "Resume"]);
    }

    [Fact]
    public void Save_then_restore_through_the_pipes_round_trips()
    {
        var source = new ScriptedDevice(Stream);
        var target = new ScriptedDevice();
        var saved = new MemoryStream();
        WithServer(source, (_, device) =>
        {
            device.Pause();
            device.BeginSave().CopyTo(saved);
            device.FinishSave();
        });
        WithServer(target, (_, device) =>
        {
            device.Pause();
            saved.Position = 0;
            saved.CopyTo(device.BeginRestore());
            device.FinishRestore();
            device.Resume();
        });
        target.Restored.ToArray().ShouldBe(Stream);
    }

    [Fact]
    public void The_restore_finish_error_comes_from_the_restore_read()
    {
        var pf = new ScriptedDevice();
        pf.Failures["FinishRestore"] = Errno.EIO;
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            device.BeginRestore().Write(Vectors.MinimalStream);
            var e = Should.Throw<DeviceException>(device.FinishRestore);
            e.Message.ShouldBe($"read of {Path.Join(server.Directory, "restore")} at offset 0 failed with EIO");
        });
        pf.Restored.ToArray().ShouldBe(Vectors.MinimalStream);
    }

    [Fact]
    public void The_save_finish_error_comes_from_the_save_read()
    {
        var pf = new ScriptedDevice(Vectors.MinimalStream);
        pf.Failures["FinishSave"] = Errno.EIO;
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            device.BeginSave().ReadAllBytes().ShouldBe(Vectors.MinimalStream);
            Should.Throw<DeviceException>(device.FinishSave).Message
                .ShouldBe($"read of {Path.Join(server.Directory, "save")} at offset 0 failed with EIO");
        });
    }

    [Fact]
    public void A_trigger_error_comes_from_the_trigger_write()
    {
        var pf = new ScriptedDevice(Stream);
        pf.Failures["BeginSave"] = Errno.EPERM; // e.g. the VF is not paused
        WithServer(pf, (server, device) =>
        {
            Should.Throw<DeviceException>(device.BeginSave).Message
                .ShouldBe($"write of \"1\" to {Path.Join(server.Directory, "save")} failed with EPERM");
            // The server is ready for the next attempt.
            pf.Failures.Remove("BeginSave");
            device.Pause();
            device.SaveToBytes().ShouldBe(Stream);
        });
    }

    [Fact]
    public void A_pause_error_comes_from_the_pause_write()
    {
        var pf = new ScriptedDevice();
        pf.Failures["Pause"] = Errno.EBUSY;
        WithServer(pf, (server, device) =>
            Should.Throw<DeviceException>(device.Pause).Message
                .ShouldBe($"write of \"1\" to {Path.Join(server.Directory, "pause")} failed with EBUSY"));
    }

    [Fact]
    public void A_save_data_error_comes_after_the_bytes_before_it()
    {
        var pf = new ScriptedDevice(Stream) { SaveFailsAfter = 200_000, SaveReadErrno = Errno.EIO };
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            var data = device.BeginSave();
            var ms = new MemoryStream();
            var e = Should.Throw<DeviceException>(() => data.CopyTo(ms));
            e.Message.ShouldBe($"read of {Path.Join(server.Directory, "migration_data")} at offset 200000 failed with EIO");
            ms.ToArray().ShouldBe(Stream[..200_000]);
        });
    }

    [Fact]
    public void A_rejected_restore_write_fails_that_write()
    {
        var pf = new ScriptedDevice { RestoreFailsAfter = 100, RestoreWriteErrno = Errno.EINVAL };
        WithServer(pf, (server, device) =>
        {
            device.Pause();
            var sink = device.BeginRestore();
            sink.Write(Stream, 0, 100);
            var e = Should.Throw<DeviceException>(() => sink.Write(Stream, 100, 50));
            e.Message.ShouldBe($"write of {Path.Join(server.Directory, "migration_data")} at offset 100 failed with EINVAL");
        });
        pf.Restored.Length.ShouldBe(100);
    }

    [Fact]
    public void An_empty_restore_reaches_the_finish()
    {
        var pf = new ScriptedDevice();
        pf.Failures["FinishRestore"] = Errno.ETIMEDOUT; // what the driver says without a trailer
        WithServer(pf, (_, device) =>
        {
            device.Pause();
            device.BeginRestore();
            Should.Throw<DeviceException>(device.FinishRestore).Errno.ShouldBe((int)Errno.ETIMEDOUT);
        });
        pf.Calls.ShouldBe(["Pause", "BeginRestore", "FinishRestore"]);
    }

    [Fact]
    public void An_abandoned_save_still_finishes()
    {
        var pf = new ScriptedDevice(Stream);
        WithServer(pf, (_, device) =>
        {
            device.Pause();
            device.BeginSave().ReadByte().ShouldBe(Stream[0]);
            device.FinishSave();
            device.Resume();
        });
        pf.Calls.ShouldBe(["Pause", "BeginSave", "FinishSave", "Resume"]);
    }

    [Fact]
    public void Migration_size_is_served_as_a_decimal_line()
    {
        var pf = new ScriptedDevice { Size = 987_654_321 };
        WithServer(pf, (_, device) => device.EstimateSize().ShouldBe(987_654_321));
    }

    [Fact]
    public void A_migration_size_error_comes_from_its_read()
    {
        var pf = new ScriptedDevice();
        pf.Failures["EstimateSize"] = Errno.ENOPKG;
        WithServer(pf, (server, device) =>
            Should.Throw<DeviceException>(() => device.EstimateSize()).Message
                .ShouldBe($"read of {Path.Join(server.Directory, "migration_size")} at offset 0 failed with ENOPKG"));
    }

    [Fact]
    public void A_stuck_client_times_out_instead_of_hanging()
    {
        var pf = new ScriptedDevice();
        using var server = new FifoDebugfsServer(pf);
        var migrationData = Path.Join(server.Directory, "migration_data");
        // Nobody serves migration_data without a save or restore: the open blocks.
        Should.Throw<TimeoutException>(() => Timed.Run(
            () => File.OpenRead(migrationData).Dispose(), TimeSpan.FromMilliseconds(300), server.Dispose));
    }
}
