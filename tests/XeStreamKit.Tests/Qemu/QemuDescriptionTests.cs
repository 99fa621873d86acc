using XeStreamKit.Qemu;
using XeStreamKit.IO;

namespace XeStreamKit.Tests.Qemu;

/// <summary>FULL sections walked with QEMU's JSON vmstate description: fields by their measured
/// sizes, subsection headers checked, and every disagreement an error.</summary>
public class QemuDescriptionTests
{
    // A vmstate of 6 bytes of fields, then subsection "dev/sub" version 2 whose 7 bytes look like
    // an EOF followed by a JSON description.
    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 0x05, 7, .. "dev/sub"u8, 0, 0, 0, 2, 0x00, 0x06, 0, 0, 0, 1, (byte)'{'];

    private const string Described =
        """{"page_size": 4096, "devices": [{"name": "dev", "instance_id": 0, "vmsd_name": "dev", "version": 1,""" +
        """ "fields": [{"name": "a", "type": "uint16", "size": 2, "array_len": 2}, {"name": "b", "type": "struct", "size": 2}],""" +
        """ "subsections": [{"vmsd_name": "dev/sub", "version": 2, "fields": [{"name": "c", "type": "buffer", "size": 7}]}]}]}""";

    private static byte[] Image(bool footers, byte[] payload, string json)
    {
        using var ms = new MemoryStream();
        using (var w = new QemuMigrationWriter(ms, footers, leaveOpen: true))
        {
            w.WriteHeader(null);
            // RAM first, as QEMU writes it: its exact walk tells whether footers are on.
            w.BeginSection(QemuRecordType.SectionStart, 2, "ram", 0, 4);
            w.WriteRamBlockList([("pc.ram", 4096)]);
            w.WriteRamEos();
            w.EndSection();
            w.BeginSection(QemuRecordType.SectionEnd, 2);
            w.WriteRamEos();
            w.EndSection();
            w.BeginSection(QemuRecordType.SectionFull, 7, "dev", 0, 1);
            w.WriteRaw(payload);
            w.EndSection();
            w.WriteEof();
            w.WriteVmDescription(json);
        }
        return ms.ToArray();
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Fields_and_subsections_delimit_the_section_exactly(bool footers, bool seekable)
    {
        // The payload holds bytes that look like a footer and an EOF: only the description knows better.
        var bytes = Image(footers, Payload, Described);
        using var reader = new QemuMigrationReader(seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(new MemoryStream(bytes)));
        if (!footers && !seekable)
        {
            // Scanned to the first plausible end (the decoy), whose "description" is not one: an error, not a guess.
            Should.Throw<MigrationStreamFormatException>(() => reader.ReadCompletedSections().Count()).Field.ShouldBe("qemu vmdescription.json");
            return;
        }
        var s = reader.ReadCompletedSections().Single(s => s.Type == QemuRecordType.SectionFull);
        s.PayloadLength.ShouldBe(Payload.Length);
        s.Delimitation.ShouldBe(seekable ? QemuDelimitation.Described : QemuDelimitation.Scanned);
        s.IsExact.ShouldBeTrue();
        reader.Summary.IsExact.ShouldBeTrue();
    }

    [Theory]
    [InlineData("\"name\": \"dev\", \"instance_id\": 0", "\"name\": \"other\", \"instance_id\": 0", "names 'dev' instance 0, but QEMU's vmstate description lists 'other' instance 0")]
    [InlineData("\"vmsd_name\": \"dev/sub\", \"version\": 2", "\"vmsd_name\": \"dev/sub\", \"version\": 3", "is 2, but QEMU's vmstate description says 3")]
    [InlineData("\"size\": 7}", "\"size\": 8}", "footer expected 7E 00000007")]
    [InlineData("\"array_len\": 2", "\"array_len\": 3", "where QEMU's vmstate description puts a subsection (0x05)")]
    public void A_section_that_disagrees_with_the_description_is_an_error(string from, string to, string message)
    {
        var bytes = Image(true, Payload, Described.Replace(from, to, StringComparison.Ordinal));
        using var reader = new QemuMigrationReader(new MemoryStream(bytes));
        Should.Throw<MigrationStreamFormatException>(() => reader.ReadCompletedSections().Count()).Message.ShouldContain(message);
    }

    [Fact]
    public void A_description_that_is_not_json_fails_where_it_is()
    {
        var bytes = Image(true, Payload, "{not json");
        using var reader = new QemuMigrationReader(new MemoryStream(bytes));
        var e = Should.Throw<MigrationStreamFormatException>(() => reader.ReadCompletedSections().Count());
        e.Field.ShouldBe("qemu vmdescription.json");
        e.StreamOffset.ShouldBe(bytes.Length - "{not json".Length);
    }
}
