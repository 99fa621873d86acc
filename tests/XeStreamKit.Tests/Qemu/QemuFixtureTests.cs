using System.Buffers.Binary;
using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;

namespace XeStreamKit.Tests.Qemu;

/// <summary>
/// Files written by QEMU 7.2 itself (fixtures/README.md). The oracle is QEMU's own JSON
/// description at the end of each file: it lists the FULL sections by name and instance, in order.
/// </summary>
public class QemuFixtureTests
{
    public const string Defaults = "qemu-7.2-pc-16m.bin";
    public const string NoFooterIgnoreShared = "qemu-7.2-pc-16m-nofooter-ignoreshared.bin";

    [Theory]
    [InlineData(Defaults, true, true)]
    [InlineData(NoFooterIgnoreShared, false, true)]
    [InlineData(Defaults, true, false)]
    [InlineData(NoFooterIgnoreShared, false, false)]
    public void The_walk_reaches_eof_and_finds_every_section_qemu_describes_and_no_vfio_device(string name, bool footers, bool seekable)
    {
        // Seekable: the JSON description is read first and FULL sections are walked with it.
        // A pipe: they are scanned, then confirmed by the description at the end.
        var bytes = File.ReadAllBytes(QemuImages.FixturePath(name));
        using var reader = new QemuMigrationReader(seekable ? new MemoryStream(bytes) : new XeStreamKit.IO.ForwardOnlyStream(new MemoryStream(bytes)));
        var sections = reader.ReadCompletedSections().ToList();

        reader.IsFinished.ShouldBeTrue();
        reader.Summary.SectionFooters.ShouldBe(footers);
        reader.Summary.TrailingBytes.ShouldBe(0);
        reader.Summary.EndOffset.ShouldBe(bytes.Length);
        reader.VfioDevices.ShouldBeEmpty();
        reader.FindDeviceData().Status.ShouldBe(QemuDeviceLookupStatus.NoVfioDevice);
        reader.Summary.IsExact.ShouldBeTrue();

        // RAM: the live handler, parsed exactly; the counts agree with QEMU's "info migrate"
        // (49 normal, 4177 duplicate pages) for the run that made the fixture.
        var ram = sections.Where(s => s.Handler == QemuHandlerKind.Ram).ToList();
        ram.Select(s => s.Type).ShouldBe([QemuRecordType.SectionStart, QemuRecordType.SectionPart, QemuRecordType.SectionEnd]);
        ram.ShouldAllBe(s => s.Delimitation == QemuDelimitation.Parsed && s.SectionId == 2 && s.VersionId == 4);
        ram[0].Ram!.Blocks.ShouldBe(6);
        ram.Sum(s => s.Ram!.Pages).ShouldBe(49);
        ram.Sum(s => s.Ram!.ZeroPages).ShouldBe(4177);

        // Every FULL section, in QEMU's own words.
        var json = Description(bytes, reader.Summary);
        var described = json.GetProperty("devices").EnumerateArray()
            .Select(d => (d.GetProperty("name").GetString()!, d.GetProperty("instance_id").GetUInt32())).ToList();
        var full = sections.Where(s => s.Type == QemuRecordType.SectionFull).ToList();
        full.Select(s => (s.IdStr, s.InstanceId)).ShouldBe(described);
        full.Count.ShouldBe(30);
        // globalstate, the last, has a fixed layout: parsed without the description.
        full[..^1].ShouldAllBe(s => s.Delimitation == (seekable ? QemuDelimitation.Described : QemuDelimitation.Scanned));
        full[^1].Delimitation.ShouldBe(seekable ? QemuDelimitation.Described : QemuDelimitation.Parsed);
        full.ShouldAllBe(s => s.IsExact && s.IsComplete && s.HasFooter == footers);
        reader.Summary.DescribedSections.ShouldBe(seekable ? 30 : 0);
        reader.Summary.ConfirmedSections.ShouldBe(seekable ? 0 : 29);
        // Sections tile the file: each starts where the previous ended, EOF right after the last.
        for (var i = 1; i < sections.Count; i++) sections[i].Offset.ShouldBe(sections[i - 1].EndOffset);
        reader.Summary.EofOffset.ShouldBe(sections[^1].EndOffset);
    }

    [Fact]
    public void Both_fixtures_agree_on_every_vmstate_payload_length()
    {
        // Footers or not, the scanner must cut each vmstate payload at the same length.
        var a = Walk(Defaults).Where(s => s.Type == QemuRecordType.SectionFull).Select(s => (s.IdStr, s.PayloadLength)).ToList();
        var b = Walk(NoFooterIgnoreShared).Where(s => s.Type == QemuRecordType.SectionFull).Select(s => (s.IdStr, s.PayloadLength)).ToList();
        b.ShouldBe(a);
        a.Single(s => s.IdStr == "vmmouse").PayloadLength.ShouldBe(4105);
    }

    [Fact]
    public void The_defaults_fixture_has_the_configuration_qemu_wrote()
    {
        using var reader = new QemuMigrationReader(File.OpenRead(QemuImages.FixturePath(Defaults)));
        var h = reader.ReadHeader();
        h.Version.ShouldBe(3u);
        h.HasConfiguration.ShouldBeTrue();
        h.MachineType.ShouldBe("pc-i440fx-7.2");
        h.TargetPageBits.ShouldBeNull();
        h.TargetPageSize.ShouldBe(4096);
        h.Capabilities.ShouldBeEmpty();
        h.UnknownSubsections.ShouldBeEmpty();
    }

    [Fact]
    public void Without_configuration_the_ignore_shared_addresses_are_still_walked()
    {
        var sections = Walk(NoFooterIgnoreShared);
        var start = sections[0];
        start.Type.ShouldBe(QemuRecordType.SectionStart);
        start.Ram!.Blocks.ShouldBe(6);
        // 6 blocks, each: name, be64 length, be64 GPA; the START is 8 bytes longer per block.
        var withoutAddresses = Walk(Defaults)[0];
        (start.PayloadLength - withoutAddresses.PayloadLength).ShouldBe(6 * 8);
    }

    [Fact]
    public void Sections_of_the_real_fixture_print_as_approved()
    {
        var r = CliHarness.Run(null, "qemu", "sections", QemuImages.FixturePath(Defaults));
        r.ExitCode.ShouldBe(0, r.StdErr);
        r.StdErr.ShouldBeEmpty();
        r.StdOut.ShouldMatchApprovedText();
    }

    [Fact]
    public void Extract_and_inspect_on_the_real_fixture_say_there_is_no_vfio_device_and_exit_2()
    {
        var path = QemuImages.FixturePath(Defaults);
        var output = Path.Combine(Path.GetTempPath(), $"xsk-qemu-none-{Guid.NewGuid():N}.bin");
        var r = CliHarness.Run(null, "qemu", "extract", path, "-o", output);
        r.ExitCode.ShouldBe(2);
        r.StdErr.ShouldBe("xsk: offset 0x3D7D6: qemu stream has no VFIO device section (no START section with an idstr '<id>/vfio' among its 33 records)\n");
        File.Exists(output).ShouldBeFalse();
        Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(output)}*").ShouldBeEmpty();

        var i = CliHarness.Run(null, "inspect", path);
        i.ExitCode.ShouldBe(2);
        i.StdErr.ShouldContain("has no VFIO device section");
    }

    private static List<QemuSection> Walk(string name)
    {
        using var reader = new QemuMigrationReader(File.OpenRead(QemuImages.FixturePath(name)));
        return reader.ReadCompletedSections().ToList();
    }

    private static JsonElement Description(byte[] bytes, QemuStreamSummary summary)
    {
        var at = (int)summary.VmDescriptionOffset;
        bytes[at].ShouldBe((byte)QemuRecordType.VmDescription);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 1));
        length.ShouldBe((int)summary.VmDescriptionLength);
        return JsonDocument.Parse(bytes.AsMemory(at + 5, length)).RootElement;
    }
}
