using System.Buffers.Binary;
using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;
using XeStreamKit.IO;

namespace XeStreamKit.Tests.Qemu;

/// <summary>
/// Files written by real QEMU (Debian's qemu-system-x86_64) across a matrix of machines,
/// vCPUs, devices, footers and capabilities (<see cref="RealQemu.Matrix"/>). The oracle is
/// QEMU's own: the JSON description at the end of the file (or of a twin run with the same
/// sections, for machines that write none) lists every FULL section with the sizes of its fields,
/// and <c>query-migrate</c> counts the RAM pages it sent.
/// </summary>
[Collection(RealQemuCollection.Name)]
public class RealQemuTests
{
    [RealQemuTheory]
    [MemberData(nameof(RealQemu.Names), MemberType = typeof(RealQemu))]
    public void Sections_lists_exactly_the_records_qemu_wrote(string name)
    {
        var saved = RealQemu.Get(name);
        var run = saved.Run;
        var bytes = File.ReadAllBytes(saved.Path);

        using var reader = new QemuMigrationReader(new MemoryStream(bytes));
        var sections = reader.ReadCompletedSections().ToList();
        var sum = reader.Summary;

        // The walk ends at QEMU's EOF (and description), and the records tile the file.
        reader.IsFinished.ShouldBeTrue();
        sum.EndOffset.ShouldBe(bytes.Length);
        sum.TrailingBytes.ShouldBe(0);
        sum.SectionFooters.ShouldBe(run.Footers);
        (sum.VmDescriptionOffset >= 0).ShouldBe(run.VmDescription);
        for (var i = 1; i < sections.Count; i++) sections[i].Offset.ShouldBe(sections[i - 1].EndOffset);
        sum.EofOffset.ShouldBe(sections[^1].EndOffset);
        sections.ShouldAllBe(s => s.HasFooter == (run.Footers && s.Type != QemuRecordType.Command));

        // Live handlers: each START has exactly one END, and they end in the order they started.
        var starts = sections.Where(s => s.Type == QemuRecordType.SectionStart).Select(s => s.SectionId).ToList();
        sections.Where(s => s.Type == QemuRecordType.SectionEnd).Select(s => s.SectionId).ShouldBe(starts);
        sections.Where(s => s.Type is QemuRecordType.SectionStart or QemuRecordType.SectionPart or QemuRecordType.SectionEnd)
            .ShouldAllBe(s => s.Delimitation == QemuDelimitation.Parsed);

        // FULL sections: name, instance and payload length as QEMU described them.
        var full = sections.Where(s => s.Type == QemuRecordType.SectionFull).Select(s => (s.IdStr, s.InstanceId, s.PayloadLength)).ToList();
        var oracle = DescribedSections(File.ReadAllBytes(RealQemu.Get(run.Twin ?? run.Name).Path));
        full.ShouldBe(oracle);
        full[^1].IdStr.ShouldBe("globalstate");

        // Exact whenever QEMU wrote its description; otherwise said to be heuristic.
        sum.IsExact.ShouldBe(run.VmDescription);
        if (run.VmDescription) sum.DescribedSections.ShouldBe(full.Count);

        // RAM pages as QEMU counted them (multifd sends pages over its other channels; QEMU
        // counts compressed pages apart from "normal" ones).
        var ram = sections.Where(s => s.Handler == QemuHandlerKind.Ram).Select(s => s.Ram!).ToList();
        var stats = saved.QueryMigrate?["ram"];
        if (stats is not null && !run.Socket && !run.PostcopyArmed)
        {
            ram.Sum(r => r.Pages + r.XbzrlePages).ShouldBe(stats["normal"]!.GetValue<long>());
            // QEMU 7.2's compression threads count zero pages into both "duplicate" and
            // "compression.pages": there, only the uncompressed pages are compared.
            if (!run.Capabilities.Contains("compress")) ram.Sum(r => r.ZeroPages).ShouldBe(stats["duplicate"]!.GetValue<long>());
        }

        CapabilityEvidence(run, reader.Header, sections);

        // Read as a pipe: FULL sections are scanned, then confirmed by the description at the end.
        using var pipe = new QemuMigrationReader(new ForwardOnlyStream(new MemoryStream(bytes)));
        var piped = pipe.ReadCompletedSections().ToList();
        piped.Select(s => (s.Type, s.SectionId, s.Offset, s.EndOffset)).ShouldBe(sections.Select(s => (s.Type, s.SectionId, s.Offset, s.EndOffset)));
        pipe.Summary.IsExact.ShouldBe(run.VmDescription);

        // The command agrees and says whether it is exact.
        var r = CliHarness.Run(null, "qemu", "sections", saved.Path, "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        doc.RootElement.GetProperty("exact").GetBoolean().ShouldBe(run.VmDescription);
        doc.RootElement.GetProperty("records").GetInt32().ShouldBe(sections.Count);
        doc.RootElement.GetProperty("sections").EnumerateArray().Count(s => !s.GetProperty("exact").GetBoolean())
            .ShouldBe(run.VmDescription ? 0 : sum.ScannedSections);
    }

    [RealQemuFact]
    public void Generating_the_whole_matrix_is_bounded()
    {
        RealQemu.Get("pc");
        RealQemu.GenerationTime.ShouldBeLessThan(TimeSpan.FromSeconds(60));
    }

    /// <summary>Cuts: every cut that ends in a 0x00 byte after RAM (where section footers would
    /// have told), and cuts through RAM, never read as a complete stream.</summary>
    [RealQemuTheory]
    [InlineData("pc-nofooter-smp2")]
    [InlineData("q35-smp8-devices-nofooter")]
    [InlineData("pc-i440fx-2.2-smp2")]
    [InlineData("block-nofooter")]
    [InlineData("pc")]
    public void A_truncated_file_is_an_error_never_a_shorter_stream(string name)
    {
        var bytes = File.ReadAllBytes(RealQemu.Get(name).Path);
        using var whole = new QemuMigrationReader(new MemoryStream(bytes));
        var sections = whole.ReadCompletedSections().ToList();
        var firstFull = sections.First(s => s.Type == QemuRecordType.SectionFull).Offset;
        // A cut right after EOF loses only the optional description: every record is still there,
        // and the walk says it is not exact (checked below). Every other cut is an error.
        var afterEof = (int)whole.Summary.EofOffset + 1;
        var cuts = new List<int>();
        for (var i = (int)firstFull; i < bytes.Length; i++)
            if (bytes[i - 1] == 0 && i != afterEof) cuts.Add(i);
        // About 40 of them, spread over the FULL sections, EOF and the description; plus RAM.
        var step = Math.Max(1, cuts.Count / 40);
        var chosen = cuts.Where((_, i) => i % step == 0).Concat([bytes.Length - 1, (int)firstFull / 2, 40]).Where(c => c != afterEof).Distinct();
        foreach (var cut in chosen)
        {
            foreach (var seekable in new[] { true, false })
            {
                var source = new MemoryStream(bytes, 0, cut);
                using var reader = new QemuMigrationReader(seekable ? source : new ForwardOnlyStream(source));
                Should.Throw<MigrationStreamFormatException>(() => reader.ReadCompletedSections().Count(), $"cut at {cut} of {bytes.Length} ({(seekable ? "file" : "pipe")})");
            }
        }
        if (afterEof < bytes.Length)
        {
            using var reader = new QemuMigrationReader(new MemoryStream(bytes, 0, afterEof));
            reader.ReadCompletedSections().Select(s => s.Offset).ShouldBe(sections.Select(s => s.Offset));
            reader.Summary.VmDescriptionOffset.ShouldBe(-1);
            reader.Summary.IsExact.ShouldBeFalse();
        }
    }

    public static IEnumerable<object[]> Corruptions =>
        from name in new[] { "pc", "pc-nofooter-smp2", "pc-i440fx-2.2-smp2", "q35-smp8-devices-nofooter" }
        from what in new[] { "first START type zeroed", "FULL id of its predecessor", "ram END as PART", "middle FULL type zeroed" }
        select new object[] { name, what };

    /// <summary>One-byte changes to the record structure exit 2 with one line and an offset.</summary>
    [RealQemuTheory]
    [MemberData(nameof(Corruptions))]
    public void A_corrupt_record_structure_exits_2_with_one_line_and_the_offset(string name, string what)
    {
        var bytes = File.ReadAllBytes(RealQemu.Get(name).Path);
        List<QemuSection> sections;
        using (var reader = new QemuMigrationReader(new MemoryStream(bytes))) sections = reader.ReadCompletedSections().ToList();
        var fulls = sections.Where(s => s.Type == QemuRecordType.SectionFull).ToList();
        var corrupt = (byte[])bytes.Clone();
        switch (what)
        {
            case "first START type zeroed":
                corrupt[sections[0].Offset] = 0;
                break;
            case "FULL id of its predecessor":
                BinaryPrimitives.WriteUInt32BigEndian(corrupt.AsSpan((int)fulls[10].Offset + 1), fulls[9].SectionId);
                break;
            case "ram END as PART":
                corrupt[sections.Single(s => s.Handler == QemuHandlerKind.Ram && s.Type == QemuRecordType.SectionEnd).Offset] = (byte)QemuRecordType.SectionPart;
                break;
            case "middle FULL type zeroed":
                corrupt[fulls[fulls.Count / 2].Offset] = 0;
                break;
        }
        var path = Path.Combine(Path.GetTempPath(), $"xsk-real-qemu-corrupt-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, corrupt);
            foreach (var args in new[] { new[] { "qemu", "sections", path }, ["qemu", "sections", "-"] })
            {
                var r = CliHarness.Run(args[2] == "-" ? corrupt : null, args);
                if (r.ExitCode == 0 && !RealQemu.Get(name).Run.VmDescription && what.Contains("FULL", StringComparison.Ordinal))
                {
                    // Without footers and without QEMU's description nothing delimits vmstate
                    // sections exactly: a corrupt FULL header merges two sections, and the
                    // output must say the list is a heuristic.
                    r.StdOut.ShouldContain("HEURISTIC");
                    continue;
                }
                r.ExitCode.ShouldBe(2, $"{what}: {r.StdErr}");
                r.StdErr.TrimEnd('\n').Split('\n').Length.ShouldBe(1, r.StdErr);
                r.StdErr.ShouldStartWith("xsk: offset 0x");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void CapabilityEvidence(QemuRun run, QemuStreamHeader header, List<QemuSection> sections)
    {
        var advise = sections.Where(s => s.Command == QemuVmCommand.PostcopyAdvise).Select(s => s.CommandLength).ToList();
        if (run.Capabilities.Contains("block"))
        {
            var block = sections.Where(s => s.Handler == QemuHandlerKind.Block).ToList();
            block.ShouldNotBeEmpty();
            block.Sum(s => s.Block!.Blocks).ShouldBe(2, "a 2 MiB disk of random bytes is two 1 MiB blocks");
        }
        if (run.Capabilities.Contains("dirty-bitmaps"))
        {
            var bitmaps = sections.Where(s => s.Handler == QemuHandlerKind.DirtyBitmap).ToList();
            bitmaps.Sum(s => s.DirtyBitmap!.Starts).ShouldBe(1);
            bitmaps.Sum(s => s.DirtyBitmap!.Completes).ShouldBe(1);
            advise.ShouldBe([0], "POSTCOPY_ADVISE without postcopy-ram has no data");
        }
        if (run.PostcopyArmed) advise.ShouldBe([16]);
        if (run.Capabilities.Contains("compress")) sections.Sum(s => s.Ram?.CompressedPages ?? 0).ShouldBeGreaterThan(0);
        if (run.Uuid is { } uuid) header.Uuid.ShouldBe(Guid.Parse(uuid));
        if (run.Capabilities.Contains("x-ignore-shared")) header.Capabilities.ShouldContain("x-ignore-shared");
        if (run.Smp > 1) sections.Count(s => s.IdStr == "apic" || s.IdStr == "kvm-apic").ShouldBe(run.Smp);
    }

    /// <summary>QEMU's description, read independently of the reader: the record at the very end
    /// (<c>06 be32 len JSON</c>), each device's payload = its fields' sizes times their array
    /// lengths, plus each subsection's <c>05 len name be32</c> header and its own payload.</summary>
    private static List<(string, uint, long)> DescribedSections(byte[] file)
    {
        var at = file.Length - 6;
        while (!(file[at] == 6 && BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 1)) == file.Length - at - 5 && file[at + 5] == '{')) at--;
        using var doc = JsonDocument.Parse(file.AsMemory(at + 5));
        return doc.RootElement.GetProperty("devices").EnumerateArray()
            .Select(d => (d.GetProperty("name").GetString()!, d.GetProperty("instance_id").GetUInt32(), Length(d))).ToList();

        static long Length(JsonElement vmsd)
        {
            var n = vmsd.GetProperty("fields").EnumerateArray()
                .Sum(f => f.GetProperty("size").GetInt64() * (f.TryGetProperty("array_len", out var a) ? a.GetInt64() : 1));
            if (vmsd.TryGetProperty("subsections", out var subs))
                n += subs.EnumerateArray().Sum(s => 1 + 1 + s.GetProperty("vmsd_name").GetString()!.Length + 4 + Length(s));
            return n;
        }
    }
}
