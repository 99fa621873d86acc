using System.Text;
using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Debugfs;
using XeStreamKit.Driver;
using F = XeStreamKit.Devices.Debugfs.DebugfsMigrationDevice.Files;

namespace XeStreamKit.Tests.Devices.Debugfs;

/// <summary>The debugfs backend on a directory of regular files standing in for sriov/vfN.</summary>
public sealed class DebugfsFileTests : IDisposable
{
    private static readonly string[] AllFiles = [F.Pause, F.Resume, F.Stop, F.Reset, F.Save, F.Restore, F.MigrationData, F.MigrationSize];
    private readonly string _root = Directory.CreateTempSubdirectory("xsk-debugfs-").FullName;
    private readonly string _vf;

    public DebugfsFileTests()
    {
        _vf = Path.Join(_root, "vf1");
        Directory.CreateDirectory(_vf);
        foreach (var f in AllFiles) File.WriteAllBytes(Path.Join(_vf, f), []);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string PathOf(string file) => Path.Join(_vf, file);

    private void Replace(string file, Action<string> with)
    {
        File.Delete(PathOf(file));
        with(PathOf(file));
    }

    [Fact]
    public void Each_control_write_is_a_single_1_at_position_0_of_a_fresh_open()
    {
        using var device = new DebugfsMigrationDevice(_vf);
        device.Pause();
        device.Pause();
        device.Resume();
        device.Stop();
        device.Reset();
        // Two pauses still leave "1": each write opened the file anew and wrote at offset 0.
        foreach (var f in new[] { F.Pause, F.Resume, F.Stop, F.Reset }) File.ReadAllText(PathOf(f)).ShouldBe("1", f);
        File.ReadAllText(PathOf(F.Save)).ShouldBe("");
    }

    [Fact]
    public void Save_triggers_then_reads_migration_data_to_eof_then_reads_save()
    {
        var stream = Vectors.Sample(100_000);
        File.WriteAllBytes(PathOf(F.MigrationData), stream);
        using var device = new DebugfsMigrationDevice(_vf);
        device.Description.ShouldBe("debugfs:" + _vf);
        device.Pause();
        var data = device.BeginSave();
        File.ReadAllText(PathOf(F.Save)).ShouldBe("1");
        data.ReadAllBytes().ShouldBe(stream);
        device.FinishSave();
        device.Resume();
    }

    [Fact]
    public void Restore_triggers_then_writes_migration_data_then_reads_restore()
    {
        var stream = Vectors.SmallDriverShaped();
        using var device = new DebugfsMigrationDevice(_vf);
        device.Pause();
        var sink = device.BeginRestore();
        File.ReadAllText(PathOf(F.Restore)).ShouldBe("1");
        foreach (var chunk in stream.Chunk(5)) sink.Write(chunk);
        device.FinishRestore();
        File.ReadAllBytes(PathOf(F.MigrationData)).ShouldBe(stream);
    }

    [Fact]
    public void Migration_size_is_a_decimal_and_a_newline()
    {
        File.WriteAllText(PathOf(F.MigrationSize), "536871120\n");
        using var device = new DebugfsMigrationDevice(_vf);
        device.EstimateSize().ShouldBe(536_871_120);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("-5\n")]
    [InlineData("12 MiB\n")]
    [InlineData("99999999999999999999\n")]
    public void A_migration_size_that_is_not_a_size_is_EPROTO(string content)
    {
        File.WriteAllText(PathOf(F.MigrationSize), content);
        using var device = new DebugfsMigrationDevice(_vf);
        var e = Should.Throw<DeviceException>(() => device.EstimateSize());
        e.Errno.ShouldBe((int)Errno.EPROTO);
        e.Operation.ShouldBe("read of " + PathOf(F.MigrationSize));
    }

    [Fact]
    public void No_migration_size_file_means_no_estimate()
    {
        File.Delete(PathOf(F.MigrationSize));
        using var device = new DebugfsMigrationDevice(_vf);
        device.EstimateSize().ShouldBeNull();
    }

    [Fact]
    public void A_failing_finish_read_is_the_finish_error()
    {
        // A directory in place of `restore`: read() fails with EISDIR, as the real file fails
        // with the restore's error.
        Replace(F.Restore, p => Directory.CreateDirectory(p));
        using var device = new DebugfsMigrationDevice(_vf);
        var e = Should.Throw<DeviceException>(device.FinishRestore);
        e.Message.ShouldBe($"read of {PathOf(F.Restore)} at offset 0 failed with EISDIR");
    }

    [Fact]
    public void A_failing_trigger_open_names_the_file_and_the_errno()
    {
        Replace(F.Pause, p => Directory.CreateDirectory(p));
        using var device = new DebugfsMigrationDevice(_vf);
        Should.Throw<DeviceException>(device.Pause).Message.ShouldBe($"open of {PathOf(F.Pause)} failed with EISDIR");
    }

    [Fact]
    public void A_failing_trigger_write_names_the_file_and_the_errno()
    {
        Replace(F.Save, p => File.CreateSymbolicLink(p, "/dev/full"));
        using var device = new DebugfsMigrationDevice(_vf);
        Should.Throw<DeviceException>(device.BeginSave).Message.ShouldBe($"write of \"1\" to {PathOf(F.Save)} failed with ENOSPC");
    }

    [Fact]
    public void A_missing_directory_is_ENOENT()
    {
        var missing = Path.Join(_root, "vf9");
        Should.Throw<DeviceException>(() => new DebugfsMigrationDevice(missing)).Message
            .ShouldBe($"listing of {missing} failed with ENOENT");
    }

    [Fact]
    public void A_file_given_as_the_directory_is_ENOTDIR()
    {
        Should.Throw<DeviceException>(() => new DebugfsMigrationDevice(PathOf(F.Pause))).Errno.ShouldBe((int)Errno.ENOTDIR);
    }

    [Fact]
    public void A_directory_without_migration_data_is_not_a_vf_directory()
    {
        File.Delete(PathOf(F.MigrationData));
        var e = Should.Throw<DeviceException>(() => new DebugfsMigrationDevice(_vf + "/"));
        e.Message.ShouldStartWith($"open of {PathOf(F.MigrationData)} failed with ENOENT: not an xe PF debugfs VF directory");
    }

    [Fact]
    public void A_second_session_without_finishing_the_first_is_a_usage_error()
    {
        using var device = new DebugfsMigrationDevice(_vf);
        device.BeginSave();
        Should.Throw<InvalidOperationException>(device.BeginRestore);
    }

    [Fact]
    public void Dispose_closes_migration_data_and_later_calls_are_refused()
    {
        var device = new DebugfsMigrationDevice(_vf);
        var data = device.BeginRestore();
        device.Dispose();
        Should.Throw<ObjectDisposedException>(() => data.Write(Encoding.ASCII.GetBytes("x")));
        Should.Throw<ObjectDisposedException>(device.Pause);
    }
}
