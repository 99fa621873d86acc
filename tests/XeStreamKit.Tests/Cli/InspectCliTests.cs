using System.Text.Json;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

public class InspectCliTests
{
    private static string TempFile(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"xsk-test-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Inspect_prints_a_row_per_packet_and_totals()
    {
        var path = TempFile(Vectors.Sample(3 * 4096));
        try
        {
            var r = CliHarness.Run(null, "inspect", path);
            r.ExitCode.ShouldBe(0, r.StdErr);
            r.StdErr.ShouldBeEmpty();
            r.StdOut.ShouldMatchApprovedText();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Inspect_json_lists_packets_with_numbers_and_descriptor_ids()
    {
        var r = CliHarness.Run(Vectors.MinimalStream, "inspect", "-", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldMatchApprovedText();
        using var doc = JsonDocument.Parse(r.StdOut);
        var packets = doc.RootElement.GetProperty("packets");
        packets.GetArrayLength().ShouldBe(2);
        var d = packets[0];
        d.GetProperty("type").GetString().ShouldBe("descriptor");
        d.GetProperty("devid").GetUInt32().ShouldBe(0xE20Bu);
        d.GetProperty("revid").GetUInt32().ShouldBe(0u);
        d.GetProperty("klvs").GetArrayLength().ShouldBe(2);
        packets[1].GetProperty("streamOffset").GetInt64().ShouldBe(40);
        doc.RootElement.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Inspect_reads_the_hand_computed_vectors_from_stdin()
    {
        var r = CliHarness.Run([.. Vectors.DescriptorE20B, .. Vectors.Trailer], "inspect", "-");
        r.ExitCode.ShouldBe(0);
        r.StdOut.ShouldContain("descriptor    0   0        0x0                0x0             16  devid 0xE20B, revid 0x0");
        r.StdOut.ShouldContain("2 packets, 64 bytes");
    }

    [Fact]
    public void A_truncated_stream_prints_what_was_read_then_one_error_line_and_exits_2()
    {
        var data = Vectors.SmallDriverShaped();
        var r = CliHarness.Run(data[..90], "inspect", "-");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldContain("devid 0xE20B");
        r.StdOut.ShouldContain("2 packets, 90 bytes (90 B): 1 descriptor, 1 guc; device 0xE20B revision 0x0 (stopped at the error below)");
        r.StdErr.ShouldBe("xsk: offset 0x40: packet #1 (GuC): payload truncated, 26 of 36 bytes present\n");
    }

    [Fact]
    public void A_truncated_stream_in_json_carries_the_error()
    {
        var r = CliHarness.Run(Vectors.MinimalStream[..50], "inspect", "-", "--json");
        r.ExitCode.ShouldBe(2);
        using var doc = JsonDocument.Parse(r.StdOut);
        var e = doc.RootElement.GetProperty("error");
        e.GetProperty("streamOffset").GetInt64().ShouldBe(40);
        e.GetProperty("packetIndex").GetInt64().ShouldBe(1);
        e.GetProperty("field").GetString().ShouldBe("header");
        r.StdErr.Trim().ShouldBe("xsk: offset 0x28: packet #1: header truncated, 10 of 24 bytes present");
    }

    [Fact]
    public void A_missing_file_is_an_io_error_on_one_line()
    {
        var r = CliHarness.Run(null, "inspect", "/nonexistent/x.bin");
        r.ExitCode.ShouldBe(4);
        r.StdErr.ShouldBe("xsk: /nonexistent/x.bin: no such file or directory (ENOENT)\n");
    }

    [Fact]
    public void A_usage_error_exits_1()
    {
        CliHarness.Run(null, "inspect").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "inspect", "-", "--bogus").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "frobnicate").ExitCode.ShouldBe(1);
    }
}
