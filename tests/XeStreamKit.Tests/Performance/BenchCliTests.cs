using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Benchmarking;

namespace XeStreamKit.Tests.Performance;

/// <summary><c>xsk bench</c>: the fields a user (or a script on a migration host) reads. No timing
/// is asserted: only that every measurement ran and the report is complete.</summary>
public class BenchCliTests
{
    private static readonly string[] Measurements =
        ["memcpy", "file-read", "header-decode", "validate-file", "validate-stream", "validate-crc32c-stream", "encode", "emulated-save", "emulated-restore"];

    [Fact]
    public void Bench_quick_json_reports_every_measurement_against_its_baseline_and_leaves_no_file()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-bench-test-").FullName;
        CliHarness.Result r;
        try
        {
            r = CliHarness.Run(null, "bench", "--quick", "--json", "--lmem", "1MiB", "--chunk", "256KiB", "--temp-dir", dir);
            r.ExitCode.ShouldBe(0, r.StdErr);
            Directory.EnumerateFileSystemEntries(dir).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;

        var image = root.GetProperty("image");
        image.GetProperty("bytes").GetInt64().ShouldBe(new BenchImage(1 << 20, 256 * 1024).Length);
        image.GetProperty("vramChunk").GetInt64().ShouldBe(256 * 1024);
        image.GetProperty("packets").GetInt64().ShouldBe(4 + 7);
        root.GetProperty("machine").GetProperty("logicalCores").GetInt32().ShouldBe(Environment.ProcessorCount);
        root.GetProperty("machine").GetProperty("cpu").GetString().ShouldNotBeNullOrWhiteSpace();

        var measurements = root.GetProperty("measurements").EnumerateArray().ToList();
        measurements.Select(m => m.GetProperty("id").GetString()).ShouldBe(Measurements);
        foreach (var m in measurements)
        {
            m.GetProperty("runs").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
            m.GetProperty("gbPerSecond").GetDouble().ShouldBeGreaterThan(0);
            m.GetProperty("bestSeconds").GetDouble().ShouldBeLessThanOrEqualTo(m.GetProperty("medianSeconds").GetDouble());
            m.GetProperty("baseline").GetBoolean().ShouldBe(m.GetProperty("id").GetString() is "memcpy" or "file-read");
        }
        measurements.Single(m => m.GetProperty("id").GetString() == "header-decode").GetProperty("itemsPerRun").GetInt64().ShouldBe(HostBenchmark.HeadersPerRun);

        var goals = root.GetProperty("goals").EnumerateArray().ToList();
        goals.Select(g => (g.GetProperty("measurement").GetString(), g.GetProperty("baseline").GetString(), g.GetProperty("unit").GetString(), g.GetProperty("target").GetDouble())).ShouldBe(
        [
            ("header-decode", "absolute", "headers/s", 100e6),
            ("validate-file", "file-read", "x file read", 0.9),
            ("validate-stream", "file-read", "x file read", 0.9),
            ("validate-crc32c-stream", "memcpy", "x memcpy", 0.6),
            ("encode", "memcpy", "x memcpy", 0.5),
            ("emulated-save", "memcpy", "x memcpy", 0.8),
            ("emulated-restore", "memcpy", "x memcpy", 0.8),
        ]);
        foreach (var g in goals)
            g.GetProperty("met").GetBoolean().ShouldBe(g.GetProperty("value").GetDouble() >= g.GetProperty("target").GetDouble());
    }

    [Fact]
    public void Bench_text_prints_a_row_per_measurement_and_the_goals_met()
    {
        var r = CliHarness.Run(null, "bench", "--quick", "--lmem", "512KiB");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldStartWith("xsk bench: ");
        r.StdOut.ShouldContain("machine: ");
        r.StdOut.ShouldMatch(@"\nnote: a [0-9.]+ MiB image stays in the CPU caches");
        foreach (var title in new[] { "memcpy (Span.CopyTo)", "file read", "header decode", "validate strict, file", "validate strict, stream", "CRC-32C", "encode", "emulated save", "emulated restore" })
            r.StdOut.ShouldContain(title);
        r.StdOut.ShouldMatch(@"\n\d of 7 goals met; allocated [0-9.]+ B per header decoded");
    }

    [Theory]
    [InlineData("--lmem", "0")]
    [InlineData("--lmem", "1000")]
    [InlineData("--lmem", "2GiB")]
    [InlineData("--chunk", "1GiB")]
    public void Bench_refuses_sizes_it_cannot_measure_with_a_usage_error(string option, string value)
    {
        var r = CliHarness.Run(null, "bench", option, value);
        r.ExitCode.ShouldBe(1);
        r.StdErr.ShouldStartWith($"xsk: {option}:");
    }
}
