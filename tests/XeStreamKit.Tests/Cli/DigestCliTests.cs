using System.Globalization;
using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Reading;
using static XeStreamKit.Tests.Support.PacketList;

namespace XeStreamKit.Tests.Cli;

/// <summary><c>xsk validate --digest</c>: the CRC-32C a user compares with another copy or tool.</summary>
public class DigestCliTests
{
    private static string Hex(uint crc) => "0x" + crc.ToString("X8", CultureInfo.InvariantCulture);


    [Fact]
    public void Validate_digest_prints_the_stream_crc_and_one_line_per_type_after_the_verdict()
    {
        var bytes = DriverSave(SmallBmg).ToBytes();
        var vram = DriverSave(SmallBmg).Where(p => p.Type == XeStreamKit.Format.PacketType.Vram).SelectMany(p => p.Payload).ToArray();
        using var dir = new TempDir("xsk-digest-");
        var path = dir.File("image.bin", bytes);
        foreach (var args in new[] { new[] { "validate", "-", "--digest" }, ["validate", path, "--digest", "--profile", "strict"] })
        {
            var r = CliHarness.Run(bytes, args);
            r.ExitCode.ShouldBe(0, r.StdErr);
            var lines = r.StdOut.TrimEnd('\n').Split('\n');
            lines[0].ShouldContain("valid for the");
            lines[1].ShouldBe($"CRC-32C {Hex(Crc32CReference.Compute(bytes))}  stream (16.4 KiB, {bytes.Length} bytes)");
            lines.ShouldContain($"CRC-32C {Hex(Crc32CReference.Compute(vram))}  vram payloads (2 packets, {vram.Length} bytes)");
            lines.Length.ShouldBe(2 + 6);
        }
    }

    [Fact]
    public void Validate_digest_json_has_stream_type_and_packet_crcs()
    {
        var bytes = DriverSave(SmallBmg).ToBytes();
        var r = CliHarness.Run(bytes, "validate", "-", "--digest", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var digest = doc.RootElement.GetProperty("digest");
        digest.GetProperty("algorithm").GetString().ShouldBe("crc32c");
        digest.GetProperty("crc32c").GetString().ShouldBe(Hex(Crc32CReference.Compute(bytes)));
        digest.GetProperty("bytes").GetInt64().ShouldBe(bytes.Length);
        digest.GetProperty("packetsNotKept").GetInt64().ShouldBe(0);
        var types = digest.GetProperty("byType").EnumerateArray().Select(t => t.GetProperty("type").GetString()).ToList();
        types.ShouldBe(["descriptor", "trailer", "ggtt", "mmio", "guc", "vram"]);

        using var reader = new MigrationStreamReader(new MemoryStream(bytes));
        var packets = digest.GetProperty("packets").EnumerateArray().ToList();
        foreach (var p in packets)
        {
            reader.ReadNextPacket().ShouldBeTrue();
            var payload = new byte[reader.Current.PayloadSize];
            reader.ReadPayloadExactly(payload);
            p.GetProperty("index").GetInt64().ShouldBe(reader.Current.Index);
            p.GetProperty("streamOffset").GetInt64().ShouldBe(reader.Current.StreamOffset);
            p.GetProperty("payloadBytes").GetInt64().ShouldBe(payload.Length);
            p.GetProperty("complete").GetBoolean().ShouldBeTrue();
            p.GetProperty("crc32c").GetString().ShouldBe(Hex(Crc32CReference.Compute(payload)));
        }
        reader.ReadNextPacket().ShouldBeFalse();
    }

    [Fact]
    public void Validate_without_digest_prints_no_crc()
    {
        var r = CliHarness.Run(DriverSave(SmallBmg).ToBytes(), "validate", "-", "--json");
        using var doc = JsonDocument.Parse(r.StdOut);
        doc.RootElement.TryGetProperty("digest", out _).ShouldBeFalse();
        CliHarness.Run(DriverSave(SmallBmg).ToBytes(), "validate", "-").StdOut.ShouldNotContain("CRC-32C");
    }
}
