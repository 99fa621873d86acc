using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Writing;

namespace XeStreamKit.Tests.Performance;

/// <summary>
/// Throughput conformance: the time accounting that decides the driver's floor (with times fed
/// in, so it is exact), the check over scripted devices that are too slow or hit ETIME, and
/// <c>xsk conformance throughput</c> end to end - emulated, and a real-device path over the
/// debugfs files. No speed of this machine is asserted.
/// </summary>
public class ThroughputTests
{
    private const int MiB = 1 << 20;

    /// <summary>Descriptor, GuC, <paramref name="chunks"/> VRAM chunks of <paramref name="chunk"/> bytes, trailer.</summary>
    private static byte[] Stream(int chunks, int chunk)
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            w.WriteDescriptor(0xE20B, 0);
            w.WritePacket(PacketType.Guc, 0, 0, new byte[64]);
            var payload = new byte[chunk];
            for (var i = 0; i < chunks; i++) w.WritePacket(PacketType.Vram, 0, 0, payload, offset: (ulong)(i * chunk));
            w.WriteTrailer();
        }
        return ms.ToArray();
    }

    private static ThroughputOptions Options(bool restore = false, int runs = 1) => new()
    {
        Device = "scripted",
        Runs = runs,
        RestoreRealDevice = restore,
        BaselineBytes = MiB,
        BaselineBudget = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public void Timeline_charges_each_call_to_the_bytes_it_moved_at_any_call_size()
    {
        var bytes = Stream(3, 64 * 1024);
        foreach (var call in new[] { 1, 7, 24, 1000, 64 * 1024 + 24, bytes.Length })
        {
            var t = new VramTimeline();
            // A uniform 1 ns per byte.
            for (var at = 0; at < bytes.Length; at += call)
            {
                var n = Math.Min(call, bytes.Length - at);
                t.Add(bytes.AsSpan(at, n), n * 1e-9);
            }
            t.Complete();
            t.AtBoundary.ShouldBeTrue();
            t.Position.ShouldBe(bytes.Length);
            t.Packets.ShouldBe(6);
            t.VramChunks.ShouldBe(3);
            t.VramBytes.ShouldBe(3UL * 64 * 1024);
            t.LargestChunk.ShouldBe(64UL * 1024);
            t.VramSeconds.ShouldBe(3 * 64 * 1024 * 1e-9, 1e-12);
            t.Seconds.ShouldBe(bytes.Length * 1e-9, 1e-12);
            t.VramBytesPerSecond!.Value.ShouldBe(1e9, 1e3);
            // Contiguous chunks of one GT, less than 512 MiB: one fence window, as one driver chunk.
            t.SlowestFenceChunkSeconds!.Value.ShouldBe(t.VramSeconds, 1e-12);
        }
    }

    [Fact]
    public void Timeline_finds_the_slowest_chunk()
    {
        var bytes = Stream(3, 4096);
        var t = new VramTimeline();
        var at = 0;
        var chunkSeconds = new[] { 0.001, 0.004, 0.002 };
        // Header of each packet (free), then its payload with its own time.
        foreach (var (size, seconds) in new[] { (16, 0.0), (64, 0.0) }.Concat(chunkSeconds.Select(s => (4096, s))).Append((0, 0.0)))
        {
            t.Add(bytes.AsSpan(at, Packet.HeaderSize), 0);
            at += Packet.HeaderSize;
            t.Add(bytes.AsSpan(at, size), seconds);
            at += size;
        }
        t.Complete();
        at.ShouldBe(bytes.Length);
        t.SlowestChunk.ShouldBe((4096UL, 0.004));
        t.VramSeconds.ShouldBe(0.007, 1e-12);
    }

    [Fact]
    public void Timeline_checks_every_512_MiB_window_of_VRAM_and_splits_calls_at_window_edges()
    {
        // One 1.5 GiB chunk read in 3 MiB calls (windows end inside calls): the first GiB at
        // 1 ms per MiB, the last half GiB at 10 ms per MiB.
        var header = new byte[Packet.HeaderSize];
        new PacketHeader(1, PacketType.Vram, 0, 0, 0, 0, 1536UL * MiB).Write(header);
        var call = new byte[3 * MiB];
        var t = new VramTimeline();
        t.Add(header, 0);
        for (var mib = 0; mib < 1536; mib += 3) t.Add(call, mib < 1023 ? 0.003 : mib < 1026 ? 0.001 + 0.02 : 0.03);
        t.Complete();
        t.VramChunks.ShouldBe(1);
        // Windows: [0,512) 0.512 s, [512,1024) 0.511 s + a third of the call at 1023 MiB, [1024,1536) the
        // other two thirds + 510 MiB at 10 ms.
        t.SlowestFenceChunkSeconds!.Value.ShouldBe(0.021 * 2 / 3 + 0.01 * 510, 1e-9);
        t.SlowestChunk.Seconds.ShouldBe(t.VramSeconds, 1e-9);
    }

    [Fact]
    public void Timeline_fence_windows_follow_the_driver_chunking()
    {
        // VRAM of tile 0, then of tile 1 (each at offset 0), then a chunk that skips a range:
        // the driver would cut three chunks, so three windows, each timed on its own.
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            w.WriteDescriptor(0xE20B, 0);
            w.WritePacket(PacketType.Vram, 0, 0, new byte[4096], offset: 0);
            w.WritePacket(PacketType.Vram, 0, 0, new byte[4096], offset: 4096);
            w.WritePacket(PacketType.Vram, 1, 2, new byte[4096], offset: 0);
            w.WritePacket(PacketType.Vram, 1, 2, new byte[4096], offset: 65536);
            w.WriteTrailer();
        }
        var bytes = ms.ToArray();
        var t = new VramTimeline();
        var seconds = new[] { 0.001, 0.001, 0.003, 0.0025 };
        var at = 0;
        t.Add(bytes.AsSpan(0, Packet.HeaderSize + 16), 0);
        at += Packet.HeaderSize + 16;
        foreach (var s in seconds)
        {
            t.Add(bytes.AsSpan(at, Packet.HeaderSize), 0);
            t.Add(bytes.AsSpan(at + Packet.HeaderSize, 4096), s);
            at += Packet.HeaderSize + 4096;
        }
        t.Add(bytes.AsSpan(at), 0);
        t.Complete();
        // Windows: tile 0 (0.002 s), tile 1 at 0 (0.003 s), tile 1 at 64 KiB (0.0025 s).
        t.SlowestFenceChunkSeconds!.Value.ShouldBe(0.003, 1e-12);
        t.VramSeconds.ShouldBe(0.0075, 1e-12);
    }

    [Fact]
    public void Timeline_names_where_a_transfer_ended_inside_a_packet()
    {
        var bytes = Stream(1, 4096);
        var half = new VramTimeline();
        half.Add(bytes.AsSpan(0, 10), 0);
        var e = Should.Throw<MigrationStreamFormatException>(half.Complete);
        (e.StreamOffset, e.PacketIndex, e.Field).ShouldBe((0, 0, "header"));

        // A header claiming 2^62 bytes costs nothing: its payload is counted, not kept.
        var huge = new byte[Packet.HeaderSize];
        new PacketHeader(1, PacketType.Vram, 0, 0, 0, 0, 1UL << 62).Write(huge);
        var t = new VramTimeline();
        t.Add(huge, 0);
        t.Add(new byte[MiB], 0.001);
        e = Should.Throw<MigrationStreamFormatException>(t.Complete);
        (e.StreamOffset, e.PacketIndex, e.PacketType, e.Field).ShouldBe((Packet.HeaderSize + MiB, 0, PacketType.Vram, "payload"));
        e.Message.ShouldContain(((1UL << 62) - MiB).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_slow_device_is_charged_its_own_time()
    {
        // 1 MiB of VRAM at 64 KiB per 20 ms read: 3.3 MB/s, a 512 MiB chunk would take minutes.
        var bytes = Stream(1, MiB);
        var pf = new ScriptedDevice { SaveSource = () => new SlowReader(bytes, 64 * 1024, TimeSpan.FromMilliseconds(20)) };
        var report = ThroughputCheck.Run(pf, Options());
        var save = report.Rows.ShouldHaveSingleItem().Save;
        save.Failure.ShouldBeNull();
        save.VramBytes.ShouldBe((ulong)MiB);
        save.SlowestFenceChunkSeconds!.Value.ShouldBeGreaterThanOrEqualTo(16 * 0.02 * 0.9);
        save.VramBytesPerSecond.ShouldBeLessThan(VramTimeline.FloorBytesPerSecond);
    }

    [Theory]
    [InlineData(4.99, null, true)]
    [InlineData(5.01, null, false)]
    [InlineData(0.01, "run 1: ETIME", false)]
    public void The_floor_is_every_fence_window_within_5_s_and_no_ETIME(double slowestWindow, string? failure, bool met)
    {
        var d = new ThroughputDirection("save", 1, 1 << 20, 1, 1 << 20, 1 << 20, 1e8, 1e8, 0.01, (1 << 20, slowestWindow), slowestWindow, failure);
        d.FloorMet.ShouldBe(met);
        new ThroughputReport("scripted", MachineInfo.Current(), new BenchMeasurement("memcpy", "memcpy", true, 1, 0, 1, 1, 1, 0),
            [new ThroughputRow(1 << 20, d, null)], null, 1).Passed.ShouldBe(met);
    }

    [Fact]
    public void ETIME_from_the_driver_is_a_missed_floor_not_a_crash()
    {
        var pf = new ScriptedDevice(Stream(2, 64 * 1024)) { SaveFailsAfter = 100_000, SaveReadErrno = Errno.ETIME };
        var report = ThroughputCheck.Run(pf, Options(runs: 3));
        var save = report.Rows.ShouldHaveSingleItem().Save;
        save.Runs.ShouldBe(0);
        save.Failure.ShouldNotBeNull().ShouldContain("ETIME");
        save.Failure.ShouldContain("fence timeout");
        save.FloorMet.ShouldBeFalse();
        report.Passed.ShouldBeFalse();
        // The first ETIME ends the measurement: no further saves.
        pf.Calls.Count(c => c == "BeginSave").ShouldBe(1);
    }

    [Fact]
    public void A_real_device_is_restored_only_when_allowed_and_gets_back_exactly_what_was_saved()
    {
        var bytes = Stream(4, 64 * 1024);
        var dir = Directory.CreateTempSubdirectory("xsk-throughput-test-").FullName;
        try
        {
            var untouched = new ScriptedDevice(bytes);
            var report = ThroughputCheck.Run(untouched, Options(runs: 2) with { TempDirectory = dir });
            report.RestoreSkipped.ShouldNotBeNull().ShouldContain("--allow-restore");
            report.Rows.ShouldHaveSingleItem().Restore.ShouldBeNull();
            untouched.Calls.ShouldNotContain("BeginRestore");
            untouched.Restored.Length.ShouldBe(0);

            var pf = new ScriptedDevice(bytes);
            report = ThroughputCheck.Run(pf, Options(restore: true, runs: 2) with { TempDirectory = dir, Resume = true });
            report.RestoreSkipped.ShouldBeNull();
            var row = report.Rows.ShouldHaveSingleItem();
            row.ChunkSize.ShouldBe(64UL * 1024);
            row.Save.Runs.ShouldBe(2);
            row.Restore.ShouldNotBeNull().Runs.ShouldBe(2);
            row.Restore.VramChunks.ShouldBe(4);
            row.Restore.StreamBytes.ShouldBe(bytes.Length);
            pf.Restored.ToArray().ShouldBe([.. bytes, .. bytes]);
            pf.Calls.ShouldBe(["Pause", "EstimateSize",
                "BeginSave", "FinishSave", "BeginRestore", "FinishRestore",
                "BeginSave", "FinishSave", "BeginRestore", "FinishRestore", "Resume"]);
            report.Passed.ShouldBeTrue();
            Directory.EnumerateFileSystemEntries(dir).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cli_measures_every_chunk_size_of_an_emulated_device_against_memcpy()
    {
        var r = CliHarness.Run(null, "conformance", "throughput", "--device", "emulated:bmg,lmem=4MiB", "--chunk", "64KiB,1MiB", "--runs", "2", "--baseline", "1MiB", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        root.GetProperty("device").GetString().ShouldBe("emulated:bmg,lmem=4MiB");
        root.GetProperty("passed").GetBoolean().ShouldBeTrue();
        root.GetProperty("restoreSkipped").ValueKind.ShouldBe(JsonValueKind.Null);
        var memcpy = root.GetProperty("memcpy");
        memcpy.GetProperty("id").GetString().ShouldBe("memcpy");
        memcpy.GetProperty("bytesPerRun").GetInt64().ShouldBe(MiB);
        var memcpyRate = memcpy.GetProperty("gbPerSecond").GetDouble();
        memcpyRate.ShouldBeGreaterThan(0);
        var floor = root.GetProperty("floor");
        floor.GetProperty("chunkBytes").GetInt64().ShouldBe(512L * MiB);
        floor.GetProperty("timeoutSeconds").GetDouble().ShouldBe(5);
        floor.GetProperty("minGbPerSecond").GetDouble().ShouldBe(0.107374, 1e-6);

        var sizes = root.GetProperty("sizes").EnumerateArray().ToList();
        sizes.Select(s => s.GetProperty("chunkBytes").GetInt64()).ShouldBe([64 * 1024, MiB]);
        foreach (var (size, chunks) in sizes.Zip(new[] { 64, 4 }))
        {
            size.GetProperty("floorMet").GetBoolean().ShouldBeTrue();
            foreach (var op in new[] { "save", "restore" })
            {
                var d = size.GetProperty(op);
                d.GetProperty("runs").GetInt32().ShouldBe(2);
                d.GetProperty("vramChunks").GetInt64().ShouldBe(chunks);
                d.GetProperty("vramBytes").GetInt64().ShouldBe(4 * MiB);
                d.GetProperty("largestChunk").GetInt64().ShouldBe(size.GetProperty("chunkBytes").GetInt64());
                d.GetProperty("streamBytes").GetInt64().ShouldBe(new BenchImage(4UL * MiB, (ulong)size.GetProperty("chunkBytes").GetInt64()).Length);
                var rate = d.GetProperty("vramGbPerSecond").GetDouble();
                rate.ShouldBeGreaterThan(0);
                d.GetProperty("memcpyRatio").GetDouble().ShouldBe(rate / memcpyRate, 0.01 + rate / memcpyRate * 0.01);
                d.GetProperty("slowestChunk").GetProperty("bytes").GetInt64().ShouldBeLessThanOrEqualTo(size.GetProperty("chunkBytes").GetInt64());
                d.GetProperty("slowestFenceWindowSeconds").GetDouble().ShouldBeGreaterThan(0);
                d.GetProperty("failure").ValueKind.ShouldBe(JsonValueKind.Null);
            }
        }
    }

    [Fact]
    public void Cli_text_report_has_a_row_per_size_and_operation_and_the_floor()
    {
        var r = CliHarness.Run(null, "conformance", "throughput", "--device", "emulated:bmg,lmem=1MiB,chunk=256KiB", "--runs", "1", "--baseline", "1MiB");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldContain("within its 5 s fence timeout");
        var rows = r.StdOut.Split('\n').Where(l => l.StartsWith("256.0 KiB", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(2);
        rows[0].ShouldContain(" save ");
        rows[1].ShouldContain(" restore ");
        rows.ShouldAllBe(l => l.Contains("met ("));
        r.StdOut.ShouldContain("2 of 2 floor checks met");
    }

    [Fact]
    public void Cli_takes_an_emulated_device_described_by_a_json_file()
    {
        using var tmp = new TempDir("xsk-throughput-json-");
        var path = tmp.File("bmg.json", System.Text.Encoding.UTF8.GetBytes("""{"platform": "bmg", "lmem": "1MiB"}"""));
        var r = CliHarness.Run(null, "conformance", "throughput", "--device", "emulated:@" + path, "--chunk", "256KiB", "--runs", "1", "--baseline", "1MiB", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var size = doc.RootElement.GetProperty("sizes").EnumerateArray().ShouldHaveSingleItem();
        size.GetProperty("save").GetProperty("vramChunks").GetInt64().ShouldBe(4);
        size.GetProperty("restore").GetProperty("vramBytes").GetInt64().ShouldBe(MiB);
    }

    [Theory]
    [InlineData("--device emulated:ptl", "has no VRAM")]
    [InlineData("--device emulated:bmg,chunk=1MiB --chunk 64KiB", "give one")]
    [InlineData("--device emulated:bmg --chunk 5000", "multiple of 4 KiB")]
    [InlineData("--device emulated:bmg --chunk 1GiB", "up to 512 MiB")]
    [InlineData("--device debugfs:/nonexistent --chunk 64KiB", "emulated devices only")]
    [InlineData("--device emulated:bmg --runs 0", "at least 1")]
    public void Cli_usage_errors_exit_1_with_one_line(string args, string message)
    {
        var r = CliHarness.Run(null, ["conformance", "throughput", .. args.Split(' '), "--baseline", "1MiB"]);
        r.ExitCode.ShouldBe(1, r.StdErr);
        r.StdErr.ShouldContain(message);
        r.StdErr.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public void Cli_measures_a_debugfs_device_through_its_files()
    {
        var bytes = Stream(2, 256 * 1024);
        var pf = new ScriptedDevice(bytes) { Size = bytes.Length };
        using var server = new FifoDebugfsServer(pf);
        var r = Timed.Run(() => CliHarness.Run(null, "conformance", "throughput", "--device", "debugfs:" + server.Directory, "--runs", "2", "--baseline", "1MiB", "--json"),
            onTimeout: server.Dispose);
        r.ExitCode.ShouldBe(0, r.StdErr);
        server.Faults.ShouldBeEmpty();
        using var doc = JsonDocument.Parse(r.StdOut);
        var size = doc.RootElement.GetProperty("sizes").EnumerateArray().ShouldHaveSingleItem();
        size.GetProperty("chunkBytes").GetInt64().ShouldBe(256 * 1024);
        size.GetProperty("save").GetProperty("runs").GetInt32().ShouldBe(2);
        size.GetProperty("save").GetProperty("streamBytes").GetInt64().ShouldBe(bytes.Length);
        size.GetProperty("restore").ValueKind.ShouldBe(JsonValueKind.Null);
        doc.RootElement.GetProperty("restoreSkipped").GetString().ShouldNotBeNull().ShouldContain("--allow-restore");
        pf.Calls.Count(c => c == "BeginSave").ShouldBe(2);
    }

    /// <summary>Returns at most <paramref name="piece"/> bytes per read, each after <paramref name="delay"/>.</summary>
    private sealed class SlowReader(byte[] bytes, int piece, TimeSpan delay) : ForwardReadStream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override int Read(Span<byte> buffer)
        {
            Thread.Sleep(delay);
            return _inner.Read(buffer[..Math.Min(piece, buffer.Length)]);
        }
    }
}
