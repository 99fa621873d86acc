using System.Text.Json;
using XeStreamKit.Tests.Qemu;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Cli;

/// <summary>validate, compat and restore read the Xe stream straight out of a QEMU migration file.</summary>
public class QemuInputCliTests
{
    private static byte[] Image() => QemuImages.Build(new QemuImageSpec
    {
        Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", DriverSave(SmallPtl).ToBytes(), BlockSize: 4096), new VfioDeviceSpec("0000:00:03.0/vfio", DriverSave(SmallBmg).ToBytes(), BlockSize: 1000)],
    });

    [Fact]
    public void Validate_reads_the_first_or_the_chosen_vfio_device()
    {
        var first = CliHarness.Run(Image(), "validate", "-", "--profile", "strict");
        first.ExitCode.ShouldBe(0, first.StdOut + first.StdErr);
        first.StdOut.ShouldStartWith("QEMU migration file");
        first.StdOut.ShouldContain("VFIO device 0000:00:02.0/vfio");
        first.StdOut.ShouldContain("ptl 0xB080");

        var second = CliHarness.Run(Image(), "validate", "-", "--qemu-device", "0000:00:03.0/vfio", "--json");
        second.ExitCode.ShouldBe(0);
        using var doc = JsonDocument.Parse(second.StdOut);
        doc.RootElement.GetProperty("target").GetString()!.ShouldStartWith("bmg 0xE20B");
    }

    [Fact]
    public void Compat_and_restore_read_a_qemu_file()
    {
        var path = QemuImages.TempFile(Image());
        try
        {
            CliHarness.Run(null, "compat", path, "--target", "ptl,ggtt=16KiB").ExitCode.ShouldBe(0);
            var bad = CliHarness.Run(null, "compat", path, "--qemu-device", "0000:00:03.0/vfio", "--target", "ptl,ggtt=16KiB");
            bad.ExitCode.ShouldBe(3);
            bad.StdOut.ShouldContain("descriptor devid 0xE20B != target 0xB080");
            var restore = CliHarness.Run(null, "restore", path, "--qemu-device", "0000:00:03.0/vfio", "--device", "emulated:bmg,ggtt=16KiB,lmem=16KiB");
            restore.ExitCode.ShouldBe(0, restore.StdErr);
            restore.StdOut.ShouldContain("stream: valid for the strict profile");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_device_is_a_stream_error()
    {
        var r = CliHarness.Run(Image(), "validate", "-", "--qemu-device", "0000:00:09.0/vfio");
        r.ExitCode.ShouldBe(2);
        r.StdErr.ShouldContain("0000:00:09.0/vfio");
    }
}
