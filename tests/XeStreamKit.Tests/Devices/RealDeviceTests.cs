using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Debugfs;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Devices;

/// <summary>
/// Save (and, when allowed, restore) on a real VF. Skipped, and reported as skipped, unless
/// <c>XSK_VFIO_DEVICE</c> / <c>XSK_DEBUGFS_VF</c> name one; restores also need
/// <c>XSK_ALLOW_RESTORE=1</c> because they overwrite the VF's state (with its own save).
/// </summary>
public class RealDeviceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static IMigrationDevice OpenVfio() =>
        VfioMigrationDevice.OpenCdev(Environment.GetEnvironmentVariable(VfioDeviceFactAttribute.Variable)!);

    private static IMigrationDevice OpenDebugfs() =>
        new DebugfsMigrationDevice(Environment.GetEnvironmentVariable(DebugfsVfFactAttribute.Variable)!);

    /// <summary>Pause, save to a temporary file checking the packets on the way, finish, resume.
    /// The caller deletes the file; if the save fails, it is deleted here.</summary>
    private static string SaveChecked(IMigrationDevice device)
    {
        var estimate = device.EstimateSize();
        var file = Path.GetTempFileName();
        try
        {
            device.Pause();
            try
            {
                var types = new List<PacketType>();
                using (var output = File.Create(file))
                using (var tee = new TeeReadStream(device.BeginSave(), output))
                using (var reader = new MigrationStreamReader(tee))
                    while (reader.ReadNextPacket()) types.Add(reader.Current.Type);
                device.FinishSave();
                types.Count.ShouldBeGreaterThanOrEqualTo(2);
                types[0].ShouldBe(PacketType.Descriptor);
                types[^1].ShouldBe(PacketType.Trailer);
                if (estimate is { } e) e.ShouldBeGreaterThan(0);
            }
            finally
            {
                device.Resume();
            }
            return file;
        }
        catch
        {
            File.Delete(file);
            throw;
        }
    }

    private static void RestoreOwnSave(IMigrationDevice device)
    {
        var file = SaveChecked(device);
        try
        {
            device.Pause();
            try
            {
                using (var input = File.OpenRead(file))
                    input.CopyTo(device.BeginRestore());
                device.FinishRestore();
            }
            finally
            {
                device.Resume();
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [VfioDeviceFact]
    public void Vfio_save_is_a_well_formed_stream() => Timed.Run(() =>
    {
        using var device = OpenVfio();
        File.Delete(SaveChecked(device));
    }, Limit);

    [VfioDeviceFact(needsRestore: true)]
    public void Vfio_restore_of_the_vf_own_save_succeeds() => Timed.Run(() =>
    {
        using var device = OpenVfio();
        RestoreOwnSave(device);
    }, Limit);

    [DebugfsVfFact]
    public void Debugfs_save_is_a_well_formed_stream() => Timed.Run(() =>
    {
        using var device = OpenDebugfs();
        File.Delete(SaveChecked(device));
    }, Limit);

    [DebugfsVfFact(needsRestore: true)]
    public void Debugfs_restore_of_the_vf_own_save_succeeds() => Timed.Run(() =>
    {
        using var device = OpenDebugfs();
        RestoreOwnSave(device);
    }, Limit);
}
