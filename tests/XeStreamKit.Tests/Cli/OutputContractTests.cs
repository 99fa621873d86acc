using System.Diagnostics;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

/// <summary>
/// Outputs (<c>-o</c>, <c>--output</c>, <c>--junit</c>): a regular file is replaced atomically, a
/// symbolic link is followed and stays a link, a FIFO or device is written through and never
/// replaced, and no temporary file outlives the command, not even when a signal ends it.
/// </summary>
public sealed class OutputContractTests
{
    private const string Small = "emulated:bmg,lmem=64KiB,ggtt=16KiB";

    [Fact]
    public void A_symbolic_link_is_followed_its_target_replaced_and_the_link_kept()
    {
        using var dir = new TempDir();
        var target = dir.File("image.bin", [1, 2, 3]);
        var link = Path.Combine(dir.Path, "latest.bin");
        File.CreateSymbolicLink(link, "image.bin");
        var r = CliHarness.Run(null, "save", "--device", Small, "-o", link);
        r.ExitCode.ShouldBe(0, r.StdErr);
        new FileInfo(link).LinkTarget.ShouldBe("image.bin");
        FileKinds.Of(link, followLinks: false).ShouldBe(FileKind.Symlink);
        new FileInfo(target).Length.ShouldBeGreaterThan(1000);
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["image.bin", "latest.bin"]);
    }

    [Fact]
    public async Task A_fifo_with_a_reader_gets_the_whole_stream_and_stays_a_fifo()
    {
        using var dir = new TempDir();
        var fifo = Path.Combine(dir.Path, "pipe");
        XskProcess.Run($"mkfifo {XskProcess.Quote(fifo)}", dir.Path).ExitCode.ShouldBe(0);
        var reader = Task.Run(() => File.ReadAllBytes(fifo));
        var r = CliHarness.Run(null, "save", "--device", Small, "-o", fifo, "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        var bytes = await reader.WaitAsync(TimeSpan.FromSeconds(30));
        var validate = CliHarness.Run(bytes, "validate", "-", "--profile", "strict");
        validate.ExitCode.ShouldBe(0, validate.StdOut);
        System.Text.Json.JsonDocument.Parse(r.StdOut).RootElement.GetProperty("bytes").GetInt64().ShouldBe(bytes.Length);
        FileKinds.Of(fifo).ShouldBe(FileKind.Fifo);
        Directory.GetFileSystemEntries(dir.Path).ShouldBe([fifo]);
    }

    [Fact]
    public void A_character_device_is_written_through_never_replaced()
    {
        // /dev/full as -o: the write fails with ENOSPC (exit 4) and the node is still the device.
        // (Replacing it would need root; written through, it never is.)
        FileKinds.Of("/dev/full").ShouldBe(FileKind.CharDevice);
        var r = CliHarness.Run(null, "save", "--device", Small, "-o", "/dev/full");
        r.ExitCode.ShouldBe(4);
        r.StdErr.ShouldBe("xsk: /dev/full: write: no space left on device (ENOSPC)\n");
        FileKinds.Of("/dev/full").ShouldBe(FileKind.CharDevice);
        var ok = CliHarness.Run(null, "save", "--device", Small, "-o", "/dev/null");
        ok.ExitCode.ShouldBe(0, ok.StdErr);
        ok.StdOut.ShouldStartWith($"saved emulated bmg 0xE20B rev 0x0 (GGTT 16KiB, LMEM 64KiB, driver newest) VF 1 to /dev/null");
        FileKinds.Of("/dev/null").ShouldBe(FileKind.CharDevice);
        var junit = CliHarness.Run(null, "conformance", "run", "--impl", "validator", "--filter", "y_minimal", "--junit", "/dev/null");
        junit.ExitCode.ShouldBe(0, junit.StdErr);
        FileKinds.Of("/dev/null").ShouldBe(FileKind.CharDevice);
    }

    [Fact]
    public void Demo_keeps_its_stream_in_a_file_or_through_a_device()
    {
        using var dir = new TempDir();
        var kept = Path.Combine(dir.Path, "vf1.bin");
        var r = CliHarness.Run(null, "demo", "--lmem", "64KiB", "--output", kept);
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldContain($"-> {kept}: ");
        CliHarness.Run(File.ReadAllBytes(kept), "validate", "-", "--profile", "strict").ExitCode.ShouldBe(0);
        var device = CliHarness.Run(null, "demo", "--lmem", "64KiB", "-o", "/dev/null");
        device.ExitCode.ShouldBe(0, device.StdErr);
        FileKinds.Of("/dev/null").ShouldBe(FileKind.CharDevice);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    public void A_signal_during_a_save_leaves_no_temporary_file(string signal, int code)
    {
        using var dir = new TempDir();
        // A save big enough to be under way when the signal comes; the loop waits for its temp file.
        var script = $"set -m; $XSK save --device emulated:bmg,lmem=64GiB -o out.bin & pid=$!; "
            + "for i in $(seq 200); do ls -A | grep -q '^\\.out\\.bin\\..*\\.tmp$' && break; sleep 0.05; done; "
            + $"kill -{signal} $pid; wait $pid; echo \"exit $?\"; ls -A";
        var r = XskProcess.Run(script, dir.Path, TimeSpan.FromSeconds(60));
        r.TimedOut.ShouldBeFalse();
        r.StdOut.Trim().ShouldBe($"exit {code}", r.StdErr);
        Directory.GetFileSystemEntries(dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void A_broken_pipe_is_a_failure_and_no_summary_claims_success()
    {
        using var dir = new TempDir();
        var r = XskProcess.Run("$XSK save --device emulated:bmg,lmem=4GiB -o - | head -c 1000 | wc -c", dir.Path);
        r.ExitCode.ShouldBe(4, r.StdErr);
        r.StdOut.Trim().ShouldBe("1000");
        r.StdErr.ShouldBe("xsk: stdout: write: broken pipe: the reader went away (EPIPE)\n");
        r.StdErr.ShouldNotContain("saved");
    }

    [Fact]
    public void Stdout_shared_with_the_shell_keeps_its_order()
    {
        // The shell's file offset on stdout must advance with xsk's writes (write(2), not pwrite).
        using var dir = new TempDir();
        var r = XskProcess.Run("{ echo before; $XSK save --device emulated:bmg,lmem=64KiB,ggtt=16KiB -o - -q | $XSK validate -; echo after; } > log; cat log", dir.Path);
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldStartWith("before\nstdin: valid for the kernel profile (8 packets");
        r.StdOut.ShouldEndWith("0 errors, 0 warnings\nafter\n");
    }

    [Fact]
    public void Old_option_spellings_still_work_for_one_release_with_a_warning()
    {
        using var dir = new TempDir();
        var kept = Path.Combine(dir.Path, "vf1.bin");
        var r = CliHarness.Run(null, "demo", "--lmem", "64KiB", "--keep", kept);
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdErr.ShouldBe("xsk: warning: demo --keep is now --output; the old spelling goes in the next release\n");
        File.Exists(kept).ShouldBeTrue();
        var sizes = CliHarness.Run(null, "conformance", "throughput", "--device", "emulated:bmg", "--sizes", "5000");
        sizes.ExitCode.ShouldBe(1);
        sizes.StdErr.ShouldStartWith("xsk: warning: conformance throughput --sizes is now --chunk; the old spelling goes in the next release\nxsk: --chunk: 5000");
    }

    [Fact]
    public void Quiet_leaves_only_results_and_errors()
    {
        var save = CliHarness.Run(null, "save", "--device", Small, "-o", "-", "--quiet");
        save.ExitCode.ShouldBe(0);
        save.StdErr.ShouldBeEmpty();
        save.StdOutBytes.Length.ShouldBeGreaterThan(1000);
        var fail = CliHarness.Run(null, "-q", "inspect", "/nonexistent/x.bin");
        fail.ExitCode.ShouldBe(4);
        fail.StdErr.ShouldBe("xsk: /nonexistent/x.bin: no such file or directory (ENOENT)\n");
    }

    /// <summary>An image is synced to disk before its rename (after a crash the name holds the old
    /// file or the whole new one); a report page, which can be made again, is renamed unsynced.</summary>
    [StraceFact]
    public void An_image_is_synced_before_its_rename_a_report_page_is_not_synced()
    {
        using var dir = new TempDir();
        var trace = Path.Combine(dir.Path, "trace");
        string Calls(string args)
        {
            File.Delete(trace);
            var r = XskProcess.Run($"{StraceFactAttribute.Path} -f -qq -e trace=fsync,fdatasync,rename,renameat,renameat2 -o trace $XSK {args}", dir.Path);
            r.ExitCode.ShouldBe(0, r.StdErr);
            return File.ReadAllText(trace);
        }
        static int IndexOf(string text, string call) => text.IndexOf(call + "(", StringComparison.Ordinal);

        var save = Calls($"save --device {Small} -o image.bin");
        IndexOf(save, "fsync").ShouldBeGreaterThanOrEqualTo(0, save);
        IndexOf(save, "fsync").ShouldBeLessThan(save.IndexOf("image.bin\"", StringComparison.Ordinal), save);

        var report = Calls("report image.bin -o page.html");
        report.ShouldContain("page.html\"", Case.Sensitive, report);
        IndexOf(report, "fsync").ShouldBe(-1, report);
        IndexOf(report, "fdatasync").ShouldBe(-1, report);
        File.ReadAllText(Path.Combine(dir.Path, "page.html")).ShouldEndWith("</html>\n");
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().ShouldBe(["image.bin", "page.html", "trace"]);
    }
}

public sealed class CompatWarningCapTests
{
    [Fact]
    public void Compat_says_how_many_warnings_it_dropped_past_its_cap()
    {
        var target = PacketList.SmallBmg;
        var packets = PacketList.DriverSave(target);
        // 150 packets of an unknown type before the trailer: the driver skips each, with a warning.
        packets.InsertRange(packets.Count - 1, Enumerable.Range(0, 150).Select(_ => new XeStreamKit.Harness.Corpus.PacketEdit((XeStreamKit.Format.PacketType)9, 0, 0, [1, 2, 3, 4])));
        var r = CliHarness.Run(packets.Bytes(), "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        doc.RootElement.GetProperty("warnings").GetArrayLength().ShouldBe(XeStreamKit.Compatibility.CompatibilityCheck.MaxWarnings);
        doc.RootElement.GetProperty("warningsDropped").GetInt64().ShouldBe(150 - XeStreamKit.Compatibility.CompatibilityCheck.MaxWarnings);
        var text = CliHarness.Run(packets.Bytes(), "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB");
        text.StdOut.ShouldEndWith("... 50 more warnings not shown (the first 100 are)\n");
    }
}
