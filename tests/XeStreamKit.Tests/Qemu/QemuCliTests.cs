using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;

namespace XeStreamKit.Tests.Qemu;

/// <summary><c>xsk qemu sections|extract|inject</c> and <c>xsk inspect</c> on QEMU files, in-process.</summary>
public sealed class QemuCliTests : IDisposable
{
    private static readonly byte[] Xe = Vectors.Sample(2 * 4096);
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files)
            if (File.Exists(f)) File.Delete(f);
    }

    [Fact]
    public void Sections_lists_records_offsets_and_the_vfio_devices()
    {
        var image = QemuImages.Build(new QemuImageSpec
        {
            Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096), new VfioDeviceSpec("0000:00:03.0/vfio", null, Multifd: true)],
            RamMultifd = true,
        });
        var r = CliHarness.Run(image, "qemu", "sections", "-");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldMatchApprovedText();
    }

    [Fact]
    public void Sections_json_has_every_record_and_device()
    {
        var image = QemuImages.Build(new QemuImageSpec { Decoys = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 1000)] });
        var r = CliHarness.Run(image, "qemu", "sections", "-", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        root.GetProperty("format").GetString().ShouldBe("qemu");
        root.GetProperty("configuration").GetProperty("machineType").GetString().ShouldBe("pc-q35-10.0");
        root.GetProperty("sectionFooters").GetBoolean().ShouldBeTrue();
        var sections = root.GetProperty("sections").EnumerateArray().ToList();
        sections.Count.ShouldBe(10);
        var end = sections.Single(s => s.GetProperty("type").GetString() == "END" && s.GetProperty("handler").GetString() == "vfio");
        end.GetProperty("vfio").GetProperty("dataBytes").GetInt64().ShouldBe(Xe.Length);
        end.GetProperty("vfio").GetProperty("dataBlocks").GetInt64().ShouldBe((Xe.Length + 999) / 1000);
        end.GetProperty("delimitation").GetString().ShouldBe("parsed");
        sections.Single(s => s.GetProperty("idstr").GetString() == "decoy-live" && s.GetProperty("type").GetString() == "START")
            .GetProperty("delimitation").GetString().ShouldBe("scanned");
        var device = root.GetProperty("vfioDevices").EnumerateArray().Single();
        device.GetProperty("idstr").GetString().ShouldBe("0000:00:02.0/vfio");
        device.GetProperty("sectionId").GetUInt32().ShouldBe(3u);
        device.GetProperty("multifd").GetString().ShouldBe("none");
        root.GetProperty("vmDescription").GetProperty("length").GetInt64().ShouldBeGreaterThan(0);
        root.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Sections_of_a_truncated_file_prints_what_was_read_then_one_error_line_and_exits_2()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] });
        var r = CliHarness.Run(image[..3000], "qemu", "sections", "-");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldContain("START      3  0000:00:02.0/vfio");
        r.StdOut.ShouldContain("(stopped at the error below)");
        r.StdErr.ShouldStartWith("xsk: offset 0x");
        r.StdErr.ShouldContain("truncated");
        r.StdErr.Count(c => c == '\n').ShouldBe(1);
    }

    [Fact]
    public void Extract_writes_exactly_the_xe_stream_to_a_file_and_says_what_it_did()
    {
        var input = Temp(QemuImages.Build(new QemuImageSpec { Decoys = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 777)] }));
        var output = TempName();
        var r = CliHarness.Run(null, "qemu", "extract", input, "-o", output);
        r.ExitCode.ShouldBe(0, r.StdErr);
        File.ReadAllBytes(output).ShouldBe(Xe);
        r.StdOut.ShouldStartWith($"Extracted the Xe stream of 0000:00:02.0/vfio: {Xe.Length} bytes");
        r.StdOut.ShouldContain($"from {(Xe.Length + 776) / 777} DEV_DATA_STATE blocks");

        var j = CliHarness.Run(null, "qemu", "extract", input, "-o", output, "--json");
        j.ExitCode.ShouldBe(0, j.StdErr);
        using var doc = JsonDocument.Parse(j.StdOut);
        doc.RootElement.GetProperty("bytes").GetInt64().ShouldBe(Xe.Length);
        doc.RootElement.GetProperty("packets").GetInt64().ShouldBe(8);
        doc.RootElement.GetProperty("largestBlock").GetInt64().ShouldBe(777);
    }

    [Fact]
    public void Extract_to_stdout_from_stdin_and_with_device_selection()
    {
        var second = Vectors.SmallDriverShaped();
        var image = QemuImages.Build(new QemuImageSpec
        {
            Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096), new VfioDeviceSpec("0000:00:03.0/vfio", second, 13)],
        });
        var r = CliHarness.Run(image, "qemu", "extract", "-", "-o", "-");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOutBytes.ShouldBe(Xe);
        r.StdErr.ShouldBe("xsk: note: 2 VFIO devices (0000:00:02.0/vfio, 0000:00:03.0/vfio); extracting '0000:00:02.0/vfio' (choose with --qemu-device)\n");

        var s = CliHarness.Run(image, "qemu", "extract", "-", "--qemu-device", "0000:00:03.0/vfio", "-o", "-");
        s.ExitCode.ShouldBe(0, s.StdErr);
        s.StdOutBytes.ShouldBe(second);
        s.StdErr.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("multifd")]
    [InlineData("nodata")]
    [InlineData("unknown-device")]
    [InlineData("not-xe")]
    [InlineData("truncated")]
    public void Extract_failures_exit_2_with_one_line_and_leave_no_output_file(string @case)
    {
        var spec = @case switch
        {
            "multifd" => new QemuImageSpec { RamMultifd = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null, Multifd: true)] },
            "nodata" => new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null)] },
            "not-xe" => new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", [.. Enumerable.Range(0, 100).Select(i => (byte)i)])] },
            _ => new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] },
        };
        var image = QemuImages.Build(spec);
        if (@case == "truncated") image = image[..(image.Length / 2)];
        var input = Temp(image);
        var output = TempName();
        File.WriteAllText(output, "previous");
        string[] args = @case == "unknown-device"
            ? ["qemu", "extract", input, "--qemu-device", "0000:00:09.0/vfio", "-o", output]
            : ["qemu", "extract", input, "-o", output];
        var r = CliHarness.Run(null, args);
        r.ExitCode.ShouldBe(2);
        r.StdErr.ShouldStartWith("xsk: offset 0x");
        r.StdErr.Count(c => c == '\n').ShouldBe(1);
        r.StdErr.ShouldContain(@case switch
        {
            "multifd" => "sent no data in the main stream: its END and config sections hold only the dummy END_OF_STATE QEMU writes when x-migration-multifd-transfer sends device state over multifd channels",
            "nodata" => "sent no data in the main stream: its END section holds only END_OF_STATE",
            "unknown-device" => "has no VFIO device '0000:00:09.0/vfio'; its VFIO devices: 0000:00:02.0/vfio",
            "not-xe" => "not an Xe packet chain",
            _ => "truncated",
        });
        File.ReadAllText(output).ShouldBe("previous");
        Directory.GetFiles(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}*").ShouldBeEmpty();
    }

    [Fact]
    public void Extract_usage_errors_exit_1()
    {
        CliHarness.Run(null, "qemu", "extract", "x.bin").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "qemu", "extract", "x.bin", "-o", "-", "--json").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "qemu", "frobnicate").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "qemu", "extract", "/nonexistent/q.bin", "-o", "-").ExitCode.ShouldBe(4);
    }

    [Fact]
    public void Inspect_reads_a_qemu_file_detected_by_its_magic()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] });
        var raw = CliHarness.Run(Xe, "inspect", "-");
        var fromFile = CliHarness.Run(null, "inspect", Temp(image));
        var fromPipe = CliHarness.Run(image, "inspect", "-");
        foreach (var r in new[] { fromFile, fromPipe })
        {
            r.ExitCode.ShouldBe(0, r.StdErr);
            var lines = r.StdOut.Split('\n', 2);
            lines[0].ShouldStartWith("QEMU migration file (pc-q35-10.0): VFIO device 0000:00:02.0/vfio, section 3, device data from file offset 0x");
            lines[1].ShouldBe(raw.StdOut);
        }
        var forced = CliHarness.Run(image, "inspect", "-", "--qemu", "--json");
        forced.ExitCode.ShouldBe(0, forced.StdErr);
        using var doc = JsonDocument.Parse(forced.StdOut);
        doc.RootElement.GetProperty("container").GetProperty("device").GetString().ShouldBe("0000:00:02.0/vfio");
        doc.RootElement.GetProperty("packets").GetArrayLength().ShouldBe(8);
    }

    [Fact]
    public void Inspect_selects_a_device_and_refuses_qemu_options_on_a_raw_stream()
    {
        var second = Vectors.SmallDriverShaped();
        var image = QemuImages.Build(new QemuImageSpec
        {
            Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe), new VfioDeviceSpec("0000:00:03.0/vfio", second, 10)],
        });
        var r = CliHarness.Run(image, "inspect", "-", "--qemu-device", "0000:00:03.0/vfio");
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldContain("8 packets");

        var usage = CliHarness.Run(Xe, "inspect", "-", "--qemu-device", "0000:00:03.0/vfio");
        usage.ExitCode.ShouldBe(1);
        usage.StdErr.ShouldBe("xsk: --qemu-device selects a VFIO device of a QEMU migration file, and stdin is not one (no QEVM magic)\n");

        var notQemu = CliHarness.Run(Xe, "inspect", "-", "--qemu");
        notQemu.ExitCode.ShouldBe(2);
        notQemu.StdErr.ShouldBe("xsk: offset 0x0: qemu header.magic is 0x01010000, expected 0x5145564D (\"QEVM\"): not a QEMU migration stream\n");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stream_inputs_sniff_the_magic_on_a_pipe_and_give_the_bytes_back(bool qemu)
    {
        // A pipe cannot seek: the four bytes read to detect the format must be replayed.
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 333)] });
        var stdin = ChunkedStream.Random(qemu ? image : Xe, seed: 11, max: 3);
        var ctx = new XeStreamKit.Cli.Plumbing.CliContext(stdin, new MemoryStream(), new StringWriter(), terminal: false);
        using var input = XeStreamKit.Cli.Plumbing.StreamInputs.Open("-", ctx);
        input.IsQemu.ShouldBe(qemu);
        input.Device?.IdStr.ShouldBe(qemu ? "0000:00:02.0/vfio" : null);
        var copy = new MemoryStream();
        input.Stream.CopyTo(copy, 7);
        copy.ToArray().ShouldBe(Xe);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(600)]
    public void Inject_refuses_a_truncated_qemu_file_anywhere_after_the_device(int cutFromEnd)
    {
        var original = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] });
        var input = Temp(original[..^cutFromEnd]);
        var output = TempName();
        var r = CliHarness.Run(null, "qemu", "inject", input, "--qemu-device", "0000:00:02.0/vfio", "--stream", Temp(Vectors.MinimalStream), "-o", output);
        r.ExitCode.ShouldBe(2, r.StdOut);
        r.StdErr.ShouldStartWith("xsk: offset 0x");
        File.Exists(output).ShouldBeFalse();
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(1000)]
    [InlineData(1)]
    public void Inject_replaces_only_the_device_data(int blockSize)
    {
        var original = QemuImages.Build(new QemuImageSpec
        {
            Decoys = true,
            Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096), new VfioDeviceSpec("0000:00:03.0/vfio", Vectors.MinimalStream)],
        });
        var replacement = Vectors.SmallDriverShaped();
        var input = Temp(original);
        var stream = Temp(replacement);
        var output = TempName();
        var r = CliHarness.Run(null, "qemu", "inject", input, "--qemu-device", "0000:00:02.0/vfio", "--stream", stream, "-o", output,
            "--block-size", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdOut.ShouldStartWith($"Replaced the data of 0000:00:02.0/vfio ({Xe.Length} bytes) with {replacement.Length} bytes");
        var injected = File.ReadAllBytes(output);

        QemuImages.Extract(new MemoryStream(injected)).ShouldBe(replacement);
        QemuImages.Extract(new MemoryStream(injected), "0000:00:03.0/vfio").ShouldBe(Vectors.MinimalStream);

        // Everything but the END payload is byte for byte the original.
        using var reader = new QemuMigrationReader(new MemoryStream(original));
        var lookup = reader.FindDeviceData();
        lookup.Data!.SkipToEnd();
        var start = (int)lookup.Device!.EndPayloadOffset;
        var end = (int)lookup.Device.EndOfStateOffset;
        injected[..start].ShouldBe(original[..start]);
        injected[^(original.Length - end)..].ShouldBe(original[end..]);
        var blocks = (replacement.Length + blockSize - 1) / blockSize;
        injected.Length.ShouldBe(original.Length - (end - start) + replacement.Length + 16 * blocks);

        using var check = new QemuMigrationReader(new MemoryStream(injected));
        foreach (var _ in check.ReadCompletedSections())
        {
        }
        check.VfioDevices[0].DataBlocks.ShouldBe(blocks);
        check.VfioDevices[0].LargestBlock.ShouldBe((ulong)Math.Min(blockSize, replacement.Length));
    }

    [Fact]
    public void Inject_from_stdin_into_a_device_that_sent_nothing()
    {
        var original = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("vfio", null)] });
        var output = TempName();
        var r = CliHarness.Run(Xe, "qemu", "inject", Temp(original), "--qemu-device", "vfio", "--stream", "-", "-o", output, "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        doc.RootElement.GetProperty("oldDataBytes").GetInt64().ShouldBe(0);
        doc.RootElement.GetProperty("newDataBytes").GetInt64().ShouldBe(Xe.Length);
        doc.RootElement.GetProperty("blocks").GetInt64().ShouldBe(1);
        QemuImages.Extract(File.OpenRead(output)).ShouldBe(Xe);
    }

    [Theory]
    [InlineData("not-xe", 2, "ends after 7 packets without a trailer (Xe stream offset, in --stream): not an Xe packet chain")]
    [InlineData("multifd", 2, "x-migration-multifd-transfer")]
    [InlineData("unknown-device", 2, "has no VFIO device '0000:00:09.0/vfio'")]
    [InlineData("no-vfio", 2, "has no VFIO device section")]
    [InlineData("stdin-source", 1, "inject reads the QEMU file twice")]
    [InlineData("bad-block-size", 1, "--block-size")]
    public void Inject_failures_leave_no_output_file(string @case, int exit, string message)
    {
        var spec = @case switch
        {
            "multifd" => new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null, Multifd: true)] },
            "no-vfio" => new QemuImageSpec(),
            _ => new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe)] },
        };
        var input = @case == "stdin-source" ? "-" : Temp(QemuImages.Build(spec));
        var stream = Temp(@case == "not-xe" ? Xe[..^24] : Xe);
        var output = TempName();
        var device = @case == "unknown-device" ? "0000:00:09.0/vfio" : "0000:00:02.0/vfio";
        var blockSize = @case == "bad-block-size" ? "0" : "1MiB";
        var r = CliHarness.Run(null, "qemu", "inject", input, "--qemu-device", device, "--stream", stream, "-o", output, "--block-size", blockSize);
        r.ExitCode.ShouldBe(exit);
        r.StdErr.ShouldContain(message);
        r.StdErr.Count(c => c == '\n').ShouldBe(1);
        File.Exists(output).ShouldBeFalse();
        Directory.GetFiles(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}*").ShouldBeEmpty();
    }

    private string Temp(byte[] bytes)
    {
        var path = QemuImages.TempFile(bytes);
        _files.Add(path);
        return path;
    }

    private string TempName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"xsk-qemu-out-{Guid.NewGuid():N}.bin");
        _files.Add(path);
        return path;
    }
}
