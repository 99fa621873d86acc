using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Qemu;

/// <summary>The core reader on files built by our writer, in every variant the issue lists.</summary>
public class QemuReaderTests
{
    private static readonly byte[] Xe = Vectors.Sample(3 * 4096);

    public static TheoryData<bool, bool, int> Variants()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (var footers in new[] { true, false })
        foreach (var config in new[] { true, false })
        foreach (var block in new[] { 1, 7, 24, 4095, 4096, 1 << 20 })
            data.Add(footers, config, block);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Extract_returns_exactly_the_xe_stream(bool footers, bool configuration, int blockSize)
    {
        var image = QemuImages.Build(new QemuImageSpec
        {
            Footers = footers,
            Configuration = configuration,
            Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, blockSize)],
        });
        QemuImages.Extract(new MemoryStream(image)).ShouldBe(Xe);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decoy_marker_bytes_in_ram_pages_vmstate_and_an_unknown_live_handler_do_not_fool_the_reader(bool footers)
    {
        var spec = new QemuImageSpec { Footers = footers, Decoys = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] };
        var image = QemuImages.Build(spec);
        // The decoy really is in the file: a whole fake END with a valid Xe chain, in RAM pages and elsewhere.
        var decoy = QemuImages.Decoy(QemuImages.FirstDeviceSectionId);
        CountOccurrences(image, decoy).ShouldBe(14);

        QemuImages.Extract(new MemoryStream(image)).ShouldBe(Xe);

        using var reader = new QemuMigrationReader(new MemoryStream(image));
        var sections = reader.ReadCompletedSections().ToList();
        sections.Select(s => (QemuText.RecordName(s.Type), s.IdStr)).ShouldBe(
        [
            ("START", "ram"), ("START", "0000:00:02.0/vfio"), ("START", "decoy-live"),
            ("PART", "ram"), ("END", "ram"), ("END", "0000:00:02.0/vfio"), ("END", "decoy-live"),
            ("FULL", "timer"), ("FULL", "0000:00:02.0/vfio"), ("FULL", "globalstate"),
        ]);
        sections.Where(s => s.IdStr is "ram" or "0000:00:02.0/vfio" && s.Type != QemuRecordType.SectionFull)
            .ShouldAllBe(s => s.Delimitation == QemuDelimitation.Parsed);
        var vfioConfig = sections.Single(s => s.Type == QemuRecordType.SectionFull && s.IdStr == "0000:00:02.0/vfio");
        vfioConfig.Vfio!.ConfigState.ShouldBeTrue();
        vfioConfig.PayloadLength.ShouldBe(8 + 276 + 8);
        reader.Summary.SectionFooters.ShouldBe(footers);
        reader.Summary.TrailingBytes.ShouldBe(0);
        reader.VfioDevices.Single().DataBytes.ShouldBe(Xe.Length);
    }

    [Fact]
    public void Several_vfio_devices_each_give_their_own_stream_and_the_default_is_the_first()
    {
        var second = Vectors.SmallDriverShaped();
        var third = Vectors.MinimalStream;
        var image = QemuImages.Build(new QemuImageSpec
        {
            Decoys = true,
            Devices =
            [
                new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 1 << 20),
                new VfioDeviceSpec("0000:00:03.0/vfio", second, 100),
                new VfioDeviceSpec("vfio", third, 5),
            ],
        });
        QemuImages.Extract(new MemoryStream(image)).ShouldBe(Xe);
        QemuImages.Extract(new MemoryStream(image), "0000:00:02.0/vfio").ShouldBe(Xe);
        QemuImages.Extract(new MemoryStream(image), "0000:00:03.0/vfio").ShouldBe(second);
        QemuImages.Extract(new MemoryStream(image), "vfio").ShouldBe(third);

        using var reader = new QemuMigrationReader(new MemoryStream(image));
        foreach (var _ in reader.ReadCompletedSections())
        {
        }
        reader.VfioDevices.Select(d => (d.IdStr, d.SectionId, d.DataBytes, d.DataBlocks)).ShouldBe(
        [
            ("0000:00:02.0/vfio", 3u, (long)Xe.Length, 1L),
            ("0000:00:03.0/vfio", 4u, (long)second.Length, (second.Length + 99L) / 100),
            ("vfio", 5u, (long)third.Length, (third.Length + 4L) / 5),
        ]);
    }

    [Fact]
    public void The_device_data_stream_reads_with_a_migration_stream_reader_at_xe_offsets()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 1000)] });
        using var qemu = new QemuMigrationReader(ChunkedStream.Random(image, seed: 7));
        var lookup = qemu.FindDeviceData();
        lookup.Status.ShouldBe(QemuDeviceLookupStatus.Found);
        lookup.Device!.FirstDataOffset.ShouldBeGreaterThan(0);
        using var reader = new MigrationStreamReader(lookup.Data!, new MigrationStreamReaderOptions { LeaveOpen = true });
        var offsets = reader.ReadPackets().Select(p => p.StreamOffset).ToList();
        using var direct = new MigrationStreamReader(new MemoryStream(Xe));
        offsets.ShouldBe(direct.ReadPackets().Select(p => p.StreamOffset).ToList());
        offsets[0].ShouldBe(0);
        lookup.Data!.Ended.ShouldBeTrue();
        lookup.Data.Position.ShouldBe(Xe.Length);
    }

    [Fact]
    public void Pre_copy_data_in_a_part_section_continues_into_the_end_section()
    {
        var first = Xe[..1000];
        var rest = Xe[1000..];
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", rest, 333, PrecopyData: first)] });
        QemuImages.Extract(new MemoryStream(image)).ShouldBe(Xe);
        using var reader = new QemuMigrationReader(new MemoryStream(image));
        var lookup = reader.FindDeviceData();
        lookup.Data!.SkipToEnd();
        lookup.Device!.DataOutsideEnd.ShouldBeTrue();
        lookup.Device.SectionsWithData.ShouldBe(2);
    }

    [Fact]
    public void Multifd_device_state_transfer_is_detected_from_the_dummy_end_of_state()
    {
        var image = QemuImages.Build(new QemuImageSpec { RamMultifd = true, Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null, Multifd: true)] });
        using var reader = new QemuMigrationReader(new MemoryStream(image));
        var lookup = reader.FindDeviceData();
        lookup.Status.ShouldBe(QemuDeviceLookupStatus.NoData);
        lookup.Device!.Multifd.ShouldBe(MultifdEvidence.Detected);
        reader.Summary.RamMultifdFlushes.ShouldBe(2);
        var e = Should.Throw<MigrationStreamFormatException>(() => lookup.DataOrThrow());
        e.Message.ShouldContain("x-migration-multifd-transfer");
        e.StreamOffset.ShouldBe(lookup.Device.EndSectionOffset);
    }

    [Fact]
    public void A_device_that_sent_nothing_without_multifd_signs_is_reported_as_such()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null)] });
        using var reader = new QemuMigrationReader(new MemoryStream(image));
        var lookup = reader.FindDeviceData();
        lookup.Status.ShouldBe(QemuDeviceLookupStatus.NoData);
        lookup.Device!.Multifd.ShouldBe(MultifdEvidence.None);
        Should.Throw<MigrationStreamFormatException>(() => lookup.DataOrThrow()).Message
            .ShouldContain("sent no data in the main stream: its END section holds only END_OF_STATE");
    }

    [Fact]
    public void A_format_error_after_a_data_less_end_is_part_of_the_no_data_message()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", null)] });
        long configAt;
        using (var full = new QemuMigrationReader(new MemoryStream(image)))
            configAt = full.ReadCompletedSections().Single(s => s.Handler == QemuHandlerKind.VfioConfig).Offset;
        using var reader = new QemuMigrationReader(new MemoryStream(image[..(int)(configAt + 3)]));
        var lookup = reader.FindDeviceData();
        lookup.Status.ShouldBe(QemuDeviceLookupStatus.NoData);
        var walk = lookup.WalkError.ShouldNotBeNull();
        walk.Message.ShouldContain("no record boundary follows");
        var e = Should.Throw<MigrationStreamFormatException>(() => lookup.DataOrThrow());
        e.Message.ShouldContain("sent no data in the main stream: its END section holds only END_OF_STATE");
        e.Message.ShouldEndWith("; walking on for the config section failed: " + walk.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Inject_refuses_an_end_section_closed_by_config_load_ready(bool withData)
    {
        var image = new MemoryStream();
        using (var w = new QemuMigrationWriter(image, leaveOpen: true))
        {
            w.WriteHeader();
            w.BeginSection(QemuRecordType.SectionStart, 3, "0000:00:02.0/vfio", 0, 1);
            w.WriteVfioTag(VfioMigrationTag.DevSetupState);
            w.WriteVfioTag(VfioMigrationTag.EndOfState);
            w.EndSection();
            w.BeginSection(QemuRecordType.SectionEnd, 3);
            if (withData) w.WriteVfioDeviceData(new MemoryStream(Xe));
            w.WriteVfioTag(VfioMigrationTag.DevConfigLoadReady);
            w.EndSection();
            w.WriteEof();
        }
        byte[] endHeader = [(byte)QemuRecordType.SectionEnd, 0, 0, 0, 3];
        var endAt = image.ToArray().AsSpan().IndexOf(endHeader);
        image.Position = 0;
        var e = Should.Throw<MigrationStreamFormatException>(() =>
            QemuDeviceStateInjector.Inject(image, "0000:00:02.0/vfio", new MemoryStream(Vectors.MinimalStream), new MemoryStream()));
        e.StreamOffset.ShouldBe(endAt);
        e.Message.ShouldContain("closes with DEV_CONFIG_LOAD_READY, not END_OF_STATE");
    }

    [Fact]
    public void No_vfio_section_and_an_unknown_device_are_reported_with_what_exists()
    {
        using (var reader = new QemuMigrationReader(new MemoryStream(QemuImages.Build(new QemuImageSpec()))))
        {
            var lookup = reader.FindDeviceData();
            lookup.Status.ShouldBe(QemuDeviceLookupStatus.NoVfioDevice);
            Should.Throw<MigrationStreamFormatException>(() => lookup.DataOrThrow()).Message.ShouldContain("has no VFIO device section");
        }
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe)] });
        using var r = new QemuMigrationReader(new MemoryStream(image));
        var missing = r.FindDeviceData("0000:00:09.0/vfio");
        missing.Status.ShouldBe(QemuDeviceLookupStatus.DeviceNotFound);
        Should.Throw<MigrationStreamFormatException>(() => missing.DataOrThrow()).Message
            .ShouldContain("has no VFIO device '0000:00:09.0/vfio'; its VFIO devices: 0000:00:02.0/vfio");
    }

    [Fact]
    public void Device_data_that_is_not_an_xe_chain_is_rejected()
    {
        var notXe = new byte[300];
        new Random(3).NextBytes(notXe);
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", notXe, 64)] });
        Should.Throw<MigrationStreamFormatException>(() => QemuImages.Extract(new MemoryStream(image)));

        // A chain without its trailer, and one with a packet after the trailer.
        var noTrailer = Xe[..^24];
        var image2 = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", noTrailer)] });
        Should.Throw<MigrationStreamFormatException>(() => QemuImages.Extract(new MemoryStream(image2))).Message.ShouldContain("without a trailer");
        byte[] afterTrailer = [.. Xe, .. Vectors.Trailer];
        var image3 = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", afterTrailer)] });
        Should.Throw<MigrationStreamFormatException>(() => QemuImages.Extract(new MemoryStream(image3))).Message.ShouldContain("follows the trailer");
    }

    [Fact]
    public void A_file_cut_inside_a_data_block_fails_with_the_offset_of_the_block()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] });
        using var full = new QemuMigrationReader(new MemoryStream(image));
        var first = full.FindDeviceData().Device!.FirstDataOffset;
        var cut = image[..(int)(first + 5000)];
        var e = Should.Throw<MigrationStreamFormatException>(() => QemuImages.Extract(new MemoryStream(cut)));
        e.Message.ShouldContain("device data block truncated, 888 of 4096 bytes present");
        e.StreamOffset.ShouldBe(first + 4096 + 16);
    }

    [Fact]
    public void Every_truncation_of_a_small_image_fails_cleanly_or_still_yields_the_whole_stream()
    {
        var xe = Vectors.MinimalStream;
        var image = QemuImages.Build(new QemuImageSpec { Ram = false, Devices = [new VfioDeviceSpec("vfio", xe, 16)] });
        for (var n = 0; n < image.Length; n++)
        {
            var bytes = image[..n];
            try
            {
                QemuImages.Extract(new MemoryStream(bytes)).ShouldBe(xe);
            }
            catch (MigrationStreamFormatException e)
            {
                e.StreamOffset.ShouldBeInRange(0, n);
            }
        }
    }

    [Fact]
    public void Malformed_streams_fail_with_offset_and_what_was_expected()
    {
        Fail([0x51, 0x45, 0x56, 0x4E, 0, 0, 0, 3]).ShouldBeAt((0, "qemu header.magic is 0x5145564E, expected 0x5145564D (\"QEVM\"): not a QEMU migration stream"));
        Fail([.. "QEVM"u8, 0, 0, 0, 2]).ShouldBeAt((4, "qemu header.version is 2 (QEMU_VM_FILE_VERSION_COMPAT), which QEMU no longer loads; expected 3"));
        Fail([.. "QEVM"u8, 0, 0, 0, 3, 0x09]).Message.ShouldEndWith("qemu record #0 type is 0x09; expected a section (0x01-0x04), a command (0x08) or EOF (0x00)");
        Fail([.. "QEVM"u8, 0, 0, 0, 3, 0x03, 0, 0, 0, 7]).ShouldBeAt((9, "qemu record #0 (END) header.section_id 7 has no START section before it"));
        Fail([.. "QEVM"u8, 0, 0, 0, 3, 0x7E, 0, 0, 0, 7]).Message.ShouldContain("a footer where no section is open");
        Fail([.. "QEVM"u8, 0, 0, 0, 3]).ShouldBeAt((8, "qemu stream ends after 0 records without QEMU_VM_EOF (0x00)"));

        // ram START with an unknown flag word; a VFIO START with an unknown tag; a wrong footer.
        byte[] ramStart = [.. "QEVM"u8, 0, 0, 0, 3, 0x01, 0, 0, 0, 2, 3, .. "ram"u8, 0, 0, 0, 0, 0, 0, 0, 4];
        Fail([.. ramStart, .. QemuImages.Be64(0x1001)]).Message.ShouldContain("0x0000000000001001 has flags 0x1, which are not a RAM_SAVE_FLAG combination QEMU writes");
        byte[] vfioStart = [.. "QEVM"u8, 0, 0, 0, 3, 0x01, 0, 0, 0, 3, 4, .. "vfio"u8, 0, 0, 0, 0, 0, 0, 0, 1];
        Fail([.. vfioStart, .. QemuImages.Be64(0xFFFFFFFFEF100009)]).ShouldBeAt((26, "qemu section #0 (START, id 3 'vfio') VFIO tag 0xFFFFFFFFEF100009 is not a VFIO migration tag (0xFFFFFFFFEF100001 to ...06)"));
        byte[] setup = [.. QemuImages.Be64((ulong)VfioMigrationTag.DevSetupState), .. QemuImages.Be64((ulong)VfioMigrationTag.EndOfState)];
        Fail([.. vfioStart, .. setup, 0x7E, 0, 0, 0, 3, 0x02, 0, 0, 0, 3, .. QemuImages.Be64((ulong)VfioMigrationTag.EndOfState), 0x7E, 0, 0, 0, 4])
            .ShouldBeAt((60, "qemu section #1 (PART, id 3 'vfio') footer expected 7E 00000003 (footers are on in this stream), found 0x7E00000004"));
    }

    [Fact]
    public void A_huge_declared_block_or_description_allocates_nothing_and_fails_as_truncated()
    {
        byte[] vfioStart = [.. "QEVM"u8, 0, 0, 0, 3, 0x01, 0, 0, 0, 3, 4, .. "vfio"u8, 0, 0, 0, 0, 0, 0, 0, 1,
            .. QemuImages.Be64((ulong)VfioMigrationTag.DevSetupState), .. QemuImages.Be64((ulong)VfioMigrationTag.EndOfState),
            0x03, 0, 0, 0, 3, .. QemuImages.Be64((ulong)VfioMigrationTag.DevDataState), .. QemuImages.Be64(1UL << 62), .. Vectors.MinimalStream];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Should.Throw<MigrationStreamFormatException>(() => QemuImages.Extract(new MemoryStream(vfioStart)));
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(4 << 20);
        e.Message.ShouldContain("device data block truncated, 64 of 4611686018427387904 bytes present");

        byte[] eofDesc = [.. "QEVM"u8, 0, 0, 0, 3, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'{'];
        Fail(eofDesc).Message.ShouldEndWith("qemu vmdescription.json truncated, 1 of 4294967295 bytes present");
    }

    [Fact]
    public void A_64_MiB_device_stream_is_extracted_in_constant_memory()
    {
        var lmem = 64UL << 20;
        var path = Path.Combine(Path.GetTempPath(), $"xsk-qemu-big-{Guid.NewGuid():N}.bin");
        try
        {
            using (var file = File.Create(path))
            using (var xe = new MemoryStream())
            {
                using (var w = new XeStreamKit.Writing.MigrationStreamWriter(xe, leaveOpen: true))
                    Vectors.WriteSample(w, 0xE20B, 0, lmem, seed: 5);
                QemuImages.Write(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", xe.ToArray())] }, file);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            using var stream = File.OpenRead(path);
            using var reader = new QemuMigrationReader(stream);
            var chain = XeStreamChain.CopyVerified(reader.FindDeviceData().DataOrThrow(), Stream.Null);
            (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(8L << 20);
            chain.Bytes.ShouldBeGreaterThan((long)lmem);
            reader.VfioDevices[0].DataBlocks.ShouldBe((chain.Bytes + (1 << 20) - 1) / (1 << 20));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Walking_ram_records_allocates_nothing_per_page()
    {
        const int pages = 100_000;
        var image = new MemoryStream();
        using (var w = new QemuMigrationWriter(image, targetPageSize: QemuImages.PageSize, leaveOpen: true))
        {
            w.WriteHeader();
            w.BeginSection(QemuRecordType.SectionStart, QemuImages.RamSectionId, "ram", 0, 4);
            w.WriteRamBlockList([("pc.ram", (ulong)pages * QemuImages.PageSize)]);
            w.WriteRamEos();
            w.EndSection();
            w.BeginSection(QemuRecordType.SectionEnd, QemuImages.RamSectionId);
            for (var p = 0; p < pages; p++)
            {
                if (p % 8 == 0) w.WriteRamPage("pc.ram", (ulong)p * QemuImages.PageSize, new byte[QemuImages.PageSize]);
                else w.WriteRamZeroPage("pc.ram", (ulong)p * QemuImages.PageSize);
            }
            w.WriteRamEos();
            w.EndSection();
            w.WriteEof();
        }
        image.Position = 0;
        using var reader = new QemuMigrationReader(image);
        reader.ReadHeader();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sections = reader.ReadCompletedSections().ToList();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(pages);
        sections[1].Ram!.ZeroPages.ShouldBe(pages - pages / 8);
        sections[1].Ram!.Pages.ShouldBe(pages / 8);
    }

    [Fact]
    public void A_source_that_claims_to_seek_but_fails_with_espipe_is_read_instead()
    {
        var image = QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", Xe, 4096)] });
        using var reader = new QemuMigrationReader(new SeekFailingStream(image));
        var data = reader.FindDeviceData().DataOrThrow();
        var output = new MemoryStream();
        XeStreamChain.CopyVerified(data, output);
        output.ToArray().ShouldBe(Xe);
        while (reader.ReadNextSection())
        {
        }
        reader.Summary.EndOffset.ShouldBe(image.Length);
    }

    /// <summary>Like a character device that says it can seek, then fails with -ESPIPE.</summary>
    private sealed class SeekFailingStream(byte[] bytes) : XeStreamKit.IO.ForwardReadStream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanSeek => true;
        public override long Length => throw new IOException("Illegal seek");
        public override long Position { get => throw new IOException("Illegal seek"); set => throw new IOException("Illegal seek"); }
        public override long Seek(long offset, SeekOrigin origin) => throw new IOException("Illegal seek");
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
    }

    private static MigrationStreamFormatException Fail(byte[] bytes)
    {
        using var reader = new QemuMigrationReader(new MemoryStream(bytes));
        return Should.Throw<MigrationStreamFormatException>(() =>
        {
            foreach (var _ in reader.ReadCompletedSections())
            {
            }
        });
    }

    private static int CountOccurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = haystack.AsSpan().IndexOf(needle); i >= 0;)
        {
            count++;
            var next = haystack.AsSpan(i + 1).IndexOf(needle);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return count;
    }
}

internal static class FailExtensions
{
    /// <summary>(offset, message without the offset prefix) for compact assertions.</summary>
    public static (long, string) ShouldBeAt(this MigrationStreamFormatException e, (long Offset, string Message) expected)
    {
        (e.StreamOffset, e.Message).ShouldBe((expected.Offset, $"offset 0x{expected.Offset:X}: {expected.Message}"));
        return expected;
    }
}
