using System.Text.Json;
using XeStreamKit.Tests.Support;
using F = XeStreamKit.Devices.Debugfs.DebugfsMigrationDevice.Files;

namespace XeStreamKit.Tests.Cli;

public class SaveRestoreCliTests
{
    [Fact]
    public void Save_to_stdout_pipes_into_validate()
    {
        var save = CliHarness.Run(null, "save", "--device", "emulated:bmg,lmem=64KiB,ggtt=16KiB,chunk=16KiB", "-o", "-");
        save.ExitCode.ShouldBe(0, save.StdErr);
        save.StdErr.ShouldContain("saved emulated bmg 0xE20B rev 0x0 (GGTT 16KiB, LMEM 64KiB, driver newest) VF 1 to stdout");
        var validate = CliHarness.Run(save.StdOutBytes, "validate", "-", "--profile", "strict");
        validate.ExitCode.ShouldBe(0, validate.StdOut);
        validate.StdOut.ShouldStartWith("stdin: valid for the strict profile (11 packets");
    }

    [Fact]
    public void Save_and_restore_summaries_have_the_documented_json()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-save-").FullName;
        try
        {
            var path = Path.Combine(dir, "vf.bin");
            var save = CliHarness.Run(null, "save", "--device", "emulated:ptl,ggtt=64KiB,seed=4", "-o", path, "--json");
            save.ExitCode.ShouldBe(0, save.StdErr);
            using var s = JsonDocument.Parse(save.StdOut);
            var root = s.RootElement;
            root.GetProperty("operation").GetString().ShouldBe("save");
            root.GetProperty("bytes").GetInt64().ShouldBe(new FileInfo(path).Length);
            root.GetProperty("packets").GetInt64().ShouldBe(7);
            root.GetProperty("packetsByType").EnumerateArray().Select(t => (t.GetProperty("type").GetString(), t.GetProperty("count").GetInt64()))
                .ShouldBe([("descriptor", 1L), ("trailer", 1L), ("ggtt", 1L), ("mmio", 2L), ("guc", 2L)]);
            (root.GetProperty("bytes").GetInt64() - root.GetProperty("sizeEstimate").GetInt64()).ShouldBe(64);
            root.GetProperty("strictValid").GetBoolean().ShouldBeTrue();
            var digest = root.GetProperty("stateDigest").GetString()!;
            digest.Length.ShouldBe(16);
            root.GetProperty("seconds").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
            root.GetProperty("gbPerSecond").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
            Directory.GetFiles(dir).ShouldBe([path]);

            var restore = CliHarness.Run(null, "restore", path, "--device", "emulated:ptl,ggtt=64KiB,seed=5,vf=3", "--json");
            restore.ExitCode.ShouldBe(0, restore.StdErr);
            using var r = JsonDocument.Parse(restore.StdOut);
            r.RootElement.GetProperty("stateDigest").GetString().ShouldBe(digest);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_failed_restore_exits_4_naming_the_errno_and_the_packet()
    {
        var save = CliHarness.Run(null, "save", "--device", "emulated:bmg,lmem=16KiB,ggtt=16KiB", "-o", "-");
        var r = CliHarness.Run(save.StdOutBytes, "restore", "-", "--device", "emulated:bmg,devid=0xE211,lmem=16KiB,ggtt=16KiB");
        r.ExitCode.ShouldBe(4);
        r.StdErr.ShouldBe("xsk: write() of packet #0 (offset 0x0) failed with ENODEV: descriptor devid 0xE20B != target 0xE211\n");
        var late = CliHarness.Run(save.StdOutBytes, "restore", "-", "--device", "emulated:bmg,lmem=8KiB,ggtt=16KiB");
        late.ExitCode.ShouldBe(4);
        late.StdErr.ShouldStartWith("xsk: RESUMING -> STOP failed with EIO: VRAM chunk [0x0, 0x4000) ends beyond the target's 8KiB of LMEM (packet #4)");
    }

    [Fact]
    public void A_save_that_fails_midway_leaves_no_partial_file_and_the_old_one_intact()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-atomic-").FullName;
        try
        {
            // A debugfs VF directory whose migration_data cannot be read (it is a directory).
            var vf = Path.Combine(dir, "vf1");
            Directory.CreateDirectory(Path.Combine(vf, F.MigrationData));
            foreach (var f in new[] { F.Pause, F.Resume, F.Save, F.Restore }) File.WriteAllText(Path.Combine(vf, f), "");
            File.WriteAllText(Path.Combine(vf, F.MigrationSize), "1000\n");
            var output = Path.Combine(dir, "out.bin");
            File.WriteAllText(output, "previous image");
            var r = CliHarness.Run(null, "save", "--device", "debugfs:" + vf, "-o", output);
            r.ExitCode.ShouldBe(4, r.StdOut);
            r.StdErr.ShouldStartWith("xsk: ");
            r.StdErr.TrimEnd('\n').ShouldNotContain("\n");
            File.ReadAllText(output).ShouldBe("previous image");
            Directory.GetFiles(dir).ShouldBe([output]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("bmg", "64KiB")]
    [InlineData("ptl", null)]
    [InlineData("wcl", null)]
    public void The_demo_migrates_a_vf_and_confirms_identical_state(string platform, string? lmem)
    {
        var args = new List<string> { "demo", "--platform", platform };
        if (lmem is not null) args.AddRange(["--lmem", lmem]);
        var r = CliHarness.Run(null, [.. args]);
        r.ExitCode.ShouldBe(0, r.StdOut + r.StdErr);
        r.StdOut.ShouldContain("2. validate --profile strict: valid, 0 errors, 0 warnings");
        r.StdOut.ShouldContain(": identical; GGTT PTEs re-tagged from VF id 1 to 2");
        r.StdOut.ShouldContain("fails with ENODEV");
        r.StdOut.ShouldEndWith("OK: the VF's state moved intact.\n");
    }

    [Fact]
    public void Device_specs_are_checked()
    {
        CliHarness.Run(null, "save", "--device", "emulated:bmg,seed=x", "-o", "-").StdErr.ShouldStartWith("xsk: --device seed: 'x' is not a number");
        CliHarness.Run(null, "save", "--device", "emulated:bmg,chunk=100", "-o", "-").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "save", "--device", "floppy:a", "-o", "-").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "save", "--device", "vfio:/nonexistent/vfio0", "-o", "-").ExitCode.ShouldBe(4);
    }
}
