using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Format;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Cli;

public class ValidateCompatCliTests
{
    private static byte[] Save() => DriverSave(SmallBmg).ToBytes();

    private static readonly List<PacketEdit> Packets = DriverSave(SmallBmg);
    private static readonly int Guc0 = Packets.Find(PacketType.Guc), Mmio0 = Packets.Find(PacketType.Mmio);

    private static byte[] BadMmio() => DriverSave(SmallBmg).With(Mmio0, _ => Mmio(0, 12)).With(Guc0, p => p with { Flags = 2 }).ToBytes();

    [Fact]
    public void Validate_accepts_a_driver_save_in_both_profiles()
    {
        foreach (var profile in new[] { "kernel", "strict" })
        {
            var r = CliHarness.Run(Save(), "validate", "-", "--profile", profile);
            r.ExitCode.ShouldBe(0, r.StdOut + r.StdErr);
            r.StdOut.ShouldStartWith($"stdin: valid for the {profile} profile (9 packets");
        }
    }

    [Fact]
    public void Validate_lists_every_diagnostic_and_exits_2()
    {
        var r = CliHarness.Run(BadMmio(), "validate", "-", "--profile", "strict");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldMatchApprovedText();
    }

    [Fact]
    public void Validate_json_has_the_documented_shape()
    {
        var r = CliHarness.Run(BadMmio(), "validate", "-", "--profile", "kernel", "--json");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldMatchApprovedText();
        using var doc = JsonDocument.Parse(r.StdOut);
        doc.RootElement.GetProperty("valid").GetBoolean().ShouldBeFalse();
        doc.RootElement.GetProperty("profile").GetString().ShouldBe("kernel");
        var d = doc.RootElement.GetProperty("diagnostics")[0];
        d.GetProperty("rule").GetString().ShouldBe("XE-MMIO-SIZE");
        d.GetProperty("severity").GetString().ShouldBe("error");
        d.GetProperty("packetIndex").GetInt64().ShouldBe(Mmio0);
        d.GetProperty("errno").GetString().ShouldBe("EIO");
        d.GetProperty("reportedAt").GetString().ShouldBe("finish");
        d.GetProperty("cause").GetString().ShouldBe("EINVAL");
        // Strict-only rules are not in the kernel profile.
        doc.RootElement.GetProperty("diagnostics").EnumerateArray().ShouldNotContain(x => x.GetProperty("rule").GetString() == "XE-S-FLAGS");
    }

    [Fact]
    public void Compat_says_compatible_or_names_errno_packet_and_offset()
    {
        using var dir = new TempDir("xsk-cli-");
        var path = dir.File("image.bin", Save());
        var ok = CliHarness.Run(null, "compat", path, "--target", "bmg,ggtt=16KiB,lmem=16KiB");
        ok.ExitCode.ShouldBe(0, ok.StdErr);
        ok.StdOut.ShouldBe("compatible: restores on bmg 0xE20B rev 0x0 (GGTT 16KiB, LMEM 16KiB, driver newest)\n");

        var bad = CliHarness.Run(null, "compat", path, "--target", "bmg,devid=0xE211");
        bad.ExitCode.ShouldBe(3);
        bad.StdOut.ShouldBe("incompatible: descriptor devid 0xE20B != target 0xE211: restore write() of packet #0 (offset 0x0) fails with ENODEV\n");
    }

    [Fact]
    public void Compat_json_has_the_documented_fields()
    {
        var r = CliHarness.Run(Save(), "compat", "-", "--target", "ptl", "--json");
        r.ExitCode.ShouldBe(3);
        r.StdOut.ShouldMatchApprovedText();
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        root.GetProperty("compatible").GetBoolean().ShouldBeFalse();
        root.GetProperty("errno").GetString().ShouldBe("ENODEV");
        root.GetProperty("errnoValue").GetInt32().ShouldBe(-19);
        root.GetProperty("packetIndex").GetInt64().ShouldBe(0);
        root.GetProperty("streamOffset").GetInt64().ShouldBe(0);
        root.GetProperty("reportedAt").GetString().ShouldBe("write");
        root.GetProperty("reason").GetString()!.ShouldContain("descriptor devid 0xE20B != target 0xB080");

        var ok = CliHarness.Run(Save(), "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--json");
        using var okDoc = JsonDocument.Parse(ok.StdOut);
        okDoc.RootElement.GetProperty("compatible").GetBoolean().ShouldBeTrue();
        okDoc.RootElement.GetProperty("errno").ValueKind.ShouldBe(JsonValueKind.Null);
        okDoc.RootElement.GetProperty("errnoValue").GetInt32().ShouldBe(0);
    }

    [Fact]
    public void Compat_matrix_prints_images_by_targets()
    {
        using var dir = new TempDir("xsk-cli-");
        var good = dir.File("good.bin", Save());
        var bad = dir.File("bad.bin", BadMmio());
        var r = CliHarness.Run(null, "compat", "--matrix", good, bad, "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--target", "bmg,devid=0xE211", "--target", "ptl");
        r.ExitCode.ShouldBe(3);
        r.StdOut.ShouldMatchApprovedText();
        var json = CliHarness.Run(null, "compat", "--matrix", good, "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--json");
        json.ExitCode.ShouldBe(0);
        using var doc = JsonDocument.Parse(json.StdOut);
        var cell = doc.RootElement.GetProperty("matrix")[0];
        cell.GetProperty("compatible").GetBoolean().ShouldBeTrue();
        cell.GetProperty("targetSpec").GetString().ShouldBe("bmg,ggtt=16KiB,lmem=16KiB");
        // Every member name once: a duplicate would be resolved differently by different readers.
        var names = cell.EnumerateObject().Select(p => p.Name).ToList();
        names.ShouldBe(names.Distinct().ToList());
    }

    [Theory]
    [InlineData(1, "xsk: --target: unknown platform 'xyz' (known: bmg, ptl, wcl)", "compat", "-", "--target", "xyz")]
    [InlineData(1, "xsk: --target: devid 0x1234 is not a bmg device id", "compat", "-", "--target", "bmg,devid=0x1234")]
    [InlineData(1, "xsk: compat takes one stream and one --target (use --matrix for more)", "compat", "-", "--target", "bmg", "--target", "ptl")]
    [InlineData(4, "xsk: /nonexistent/x.bin: no such file or directory (ENOENT)", "compat", "/nonexistent/x.bin", "--target", "bmg")]
    [InlineData(4, "xsk: --target: cannot read /nonexistent/h.json", "compat", "-", "--target", "@/nonexistent/h.json")]
    [InlineData(4, "xsk: /nonexistent/x.bin: no such file or directory (ENOENT)", "validate", "/nonexistent/x.bin")]
    public void Bad_input_is_one_line_and_a_documented_exit_code(int code, string message, params string[] args)
    {
        var r = CliHarness.Run(Save(), args);
        r.ExitCode.ShouldBe(code);
        r.StdErr.ShouldStartWith(message);
        r.StdErr.TrimEnd('\n').ShouldNotContain("\n");
    }

    [Fact]
    public void Validate_rejects_an_unknown_profile_as_usage()
    {
        CliHarness.Run(Save(), "validate", "-", "--profile", "lenient").ExitCode.ShouldBe(1);
    }
}
