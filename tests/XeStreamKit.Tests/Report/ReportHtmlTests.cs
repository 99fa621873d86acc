using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using XeStreamKit.Tests.Support;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Report;

/// <summary>
/// The report page, parsed with AngleSharp: self-contained (nothing fetched from anywhere), under
/// 1 MB whatever the stream, every diagnostic and verdict linked to a row that exists, and the
/// pictures saying what the image holds (holes, overlaps, bytes past the LMEM, GGTT VF ids).
/// </summary>
public sealed class ReportHtmlTests : IClassFixture<ReportFiles>
{
    private const int MaxPageBytes = 1_000_000;
    private readonly ReportFiles _files;

    public ReportHtmlTests(ReportFiles files) => _files = files;

    private static IDocument Parse(string path) => new HtmlParser().ParseDocument(File.ReadAllText(path));

    [Fact]
    public void Valid_image_is_drawn_with_its_chunks_and_no_problems()
    {
        var (html, run) = _files.Report("valid", ReportImages.ValidBmg(), null, "--target", ReportImages.ValidTarget, "--digest");
        run.ExitCode.ShouldBe(0, run.StdErr);
        run.StdOut.ShouldContain("valid for the kernel profile");
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        doc.QuerySelector(".badge.b-ok")!.TextContent.ShouldBe("VALID");
        doc.QuerySelector(".problems.ok").ShouldNotBeNull();
        // 4 VRAM chunks continuing each other are one row and one box.
        var boxes = doc.QuerySelectorAll("#stream-map a.pkt");
        boxes.Select(b => b.GetAttribute("data-type")).ShouldBe(["descriptor", "guc", "ggtt", "mmio", "vram", "guc", "mmio", "trailer"]);
        doc.QuerySelector("#p4")!.TextContent.ShouldContain("4 contiguous chunks");
        var map = doc.QuerySelector("#vram-tile0")!;
        map.QuerySelectorAll("rect.gap, rect.overlap, rect.past").Length.ShouldBe(0);
        map.QuerySelector("text")!.TextContent.ShouldContain("cover 4.0 MiB of 4.0 MiB LMEM; no holes, no overlaps");
        var ggtt = doc.QuerySelector("table.ggtt tr:nth-child(2)")!.Children.Select(c => c.TextContent).ToList();
        ggtt[3].ShouldBe("4096");
        ggtt[6].ShouldBe("0");
        doc.QuerySelector("table.compat .badge")!.TextContent.ShouldBe("restores");
        doc.QuerySelector("table.digest")!.TextContent.ShouldContain("vram payloads");
        AssertLinksResolve(doc);
    }

    [Fact]
    public void Broken_image_shows_the_hole_the_overlap_the_bytes_past_lmem_and_each_diagnostic_at_its_packet()
    {
        var (html, run) = _files.Report("broken", ReportImages.GapsAndErrors(), null, "--target", ReportImages.BrokenTarget, "--target", "ptl", "--profile", "strict");
        run.ExitCode.ShouldBe(2, run.StdErr);
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        doc.QuerySelector(".badge.b-error")!.TextContent.ShouldBe("INVALID");

        var map = doc.QuerySelector("#vram-tile0")!;
        map.QuerySelectorAll("rect.gap").Single().QuerySelector("title")!.TextContent.ShouldContain("[0x100000, 0x200000)");
        map.QuerySelectorAll("rect.overlap").Single().QuerySelector("title")!.TextContent.ShouldContain("[0x2C0000, 0x340000), 512.0 KiB");
        map.QuerySelectorAll("rect.past").Single().QuerySelector("title")!.TextContent.ShouldContain("[0x400000, 0x500000)");
        doc.QuerySelector(".problems")!.TextContent.ShouldContain("tile 0: chunks cover 3.0 MiB of 4.0 MiB LMEM; 1 hole (1.0 MiB); 512.0 KiB sent twice; 1.0 MiB past the LMEM");

        var rules = doc.QuerySelectorAll("tr.diag code").Select(c => c.TextContent).ToHashSet();
        // No XE-TRL-MISSING: leaving RESUMING reports GT 0's failure first, as the driver does.
        rules.ShouldBe(["XE-MMIO-SIZE", "XE-GT-FAILED", "XE-S-VRAM-CONTIGUOUS", "XE-S-GGTT-VFID"], ignoreOrder: true);
        // Every diagnostic names its packet with a link to a row that exists, and the row is flagged.
        foreach (var row in doc.QuerySelectorAll("tr.diag"))
        {
            var link = row.QuerySelector("td:nth-child(3) a")!;
            var target = doc.GetElementById(link.GetAttribute("href")![1..]);
            target.ShouldNotBeNull(link.OuterHtml);
            if (link.GetAttribute("href") != "#p-end") target!.ClassName.ShouldStartWith("flag-");
        }
        // The MMIO diagnostic carries the packet's bytes: its header, the size field highlighted.
        var mmio = doc.QuerySelectorAll("tr.diag").First(r => r.TextContent.Contains("XE-MMIO-SIZE", StringComparison.Ordinal));
        var hex = mmio.QuerySelector("pre.hex")!;
        hex.TextContent.ShouldContain("01 04 00 00 00 00 00 00");
        hex.QuerySelector("b")!.TextContent.ShouldBe("0C");
        mmio.TextContent.ShouldContain("EIO when leaving RESUMING (GT worker: EINVAL)");

        var verdicts = doc.QuerySelectorAll("table.compat tr").Skip(1).ToList();
        verdicts.Count.ShouldBe(2);
        verdicts[0].QuerySelector("td:nth-child(3)")!.TextContent.ShouldBe("EIO");
        verdicts[1].QuerySelector("td:nth-child(3)")!.TextContent.ShouldBe("ENODEV");
        verdicts[1].QuerySelector("td:nth-child(4)")!.TextContent.ShouldBe("on the write() of the packet");
        doc.QuerySelector("table.ggtt td:nth-child(7)")!.TextContent.ShouldBe("4096");
        AssertLinksResolve(doc);
    }

    [Fact]
    public void Qemu_file_shows_its_records_and_the_device_data_drawn_as_the_stream()
    {
        var (html, run) = _files.Report("qemu", ReportImages.QemuWithDevice());
        run.ExitCode.ShouldBe(0, run.StdErr);
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        doc.QuerySelector("#qemu")!.ShouldNotBeNull();
        var records = doc.QuerySelectorAll("table.qemu tr").Skip(1).ToList();
        records.ShouldContain(r => r.TextContent.Contains("0000:00:02.0/vfio", StringComparison.Ordinal) && r.TextContent.Contains("DEV_DATA_STATE blocks", StringComparison.Ordinal));
        records.ShouldContain(r => r.TextContent.Contains("globalstate", StringComparison.Ordinal));
        doc.QuerySelectorAll("#qemu-map a").Length.ShouldBe(records.Count);
        doc.QuerySelectorAll("#stream-map a.pkt").Length.ShouldBe(8);
        AssertLinksResolve(doc);
    }

    [Fact]
    public void Qemu_fixture_without_a_vfio_device_still_gets_a_page_listing_its_records()
    {
        var (html, run) = _files.Report("fixture", null, ReportImages.QemuFixture);
        run.ExitCode.ShouldBe(2, run.StdErr);
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        doc.QuerySelector(".badge")!.TextContent.ShouldBe("NOT READ");
        doc.QuerySelector(".problems")!.TextContent.ShouldContain("no VFIO device section");
        doc.QuerySelectorAll("table.qemu tr").Length.ShouldBe(34); // 33 records and the head
        AssertLinksResolve(doc);
    }

    [Fact]
    public void A_stream_of_many_scattered_chunks_is_capped_under_1_MB_and_says_so()
    {
        var (html, run) = _files.Report("scattered", ReportImages.ScatteredChunks(5_000), null, "--profile", "strict", "--json");
        run.ExitCode.ShouldBe(2, run.StdErr);
        new FileInfo(html).Length.ShouldBeLessThan(MaxPageBytes);
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        doc.QuerySelector("#p-rest").ShouldNotBeNull();
        doc.QuerySelectorAll(".note").ShouldContain(n => n.TextContent.StartsWith("Capped: only the first 400 rows", StringComparison.Ordinal));
        doc.QuerySelectorAll(".note").ShouldContain(n => n.TextContent.Contains("more XE-S-VRAM-ALIGN were counted, not kept", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(run.StdOut);
        json.RootElement.GetProperty("rowsDrawn").GetInt32().ShouldBe(400);
        json.RootElement.GetProperty("packetsNotDrawn").GetInt64().ShouldBe(5_002 - 400);
        AssertLinksResolve(doc);
    }

    [Fact]
    public void Json_summary_names_the_page_the_verdicts_and_the_vram_problems()
    {
        var (html, run) = _files.Report("json", ReportImages.GapsAndErrors(), null, "--target", ReportImages.BrokenTarget, "--json");
        run.ExitCode.ShouldBe(2, run.StdErr);
        using var json = JsonDocument.Parse(run.StdOut);
        var root = json.RootElement;
        root.GetProperty("output").GetString().ShouldBe(html);
        root.GetProperty("htmlBytes").GetInt32().ShouldBe((int)new FileInfo(html).Length);
        root.GetProperty("valid").GetBoolean().ShouldBeFalse();
        var vram = root.GetProperty("vram")[0];
        vram.GetProperty("holeBytes").GetInt64().ShouldBe(1 << 20);
        vram.GetProperty("overlapBytes").GetInt64().ShouldBe(512 << 10); // 256 KiB into each neighbour
        vram.GetProperty("pastLmemBytes").GetInt64().ShouldBe(1 << 20);
        root.GetProperty("compatibility")[0].GetProperty("errno").GetString().ShouldBe("EIO");
    }

    [Fact]
    public void Report_agrees_with_validate_and_compat_run_on_their_own()
    {
        using var dir = new TempDir();
        var image = dir.File("broken.bin", ReportImages.GapsAndErrors());
        var (html, run) = _files.Report("agree", ReportImages.GapsAndErrors(), null, "--target", ReportImages.BrokenTarget, "--target", "bmg,lmem=8MiB,ggtt=16MiB", "--json");
        using var report = JsonDocument.Parse(run.StdOut);
        using var validate = JsonDocument.Parse(CliHarness.Run(null, "validate", image, "--json").StdOut);
        report.RootElement.GetProperty("errors").GetInt64().ShouldBe(validate.RootElement.GetProperty("errors").GetInt64());
        report.RootElement.GetProperty("warnings").GetInt64().ShouldBe(validate.RootElement.GetProperty("warnings").GetInt64());
        var verdicts = report.RootElement.GetProperty("compatibility");
        foreach (var (spec, i) in new[] { (ReportImages.BrokenTarget, 0), ("bmg,lmem=8MiB,ggtt=16MiB", 1) })
        {
            using var compat = JsonDocument.Parse(CliHarness.Run(null, "compat", image, "--target", spec, "--json").StdOut);
            verdicts[i].GetProperty("compatible").GetBoolean().ShouldBe(compat.RootElement.GetProperty("compatible").GetBoolean());
            verdicts[i].GetProperty("errno").ToString().ShouldBe(compat.RootElement.GetProperty("errno").ToString());
            verdicts[i].GetProperty("reason").GetString().ShouldBe(compat.RootElement.GetProperty("reason").GetString());
        }
        File.Exists(html).ShouldBeTrue();
    }

    [Fact]
    public void Conformance_matrix_page_colours_and_explains_every_cell()
    {
        // An "implementation" that accepts everything: every n_ vector is a red cell.
        var html = Path.Combine(_files.Dir, "matrix.html");
        var run = CliHarness.Run(null, "conformance", "run", "--impl", "validator", "--impl", "exec:cat >/dev/null", "--matrix", "--filter", "_desc", "--html", html);
        run.ExitCode.ShouldBe(2, run.StdErr);
        var doc = Parse(html);
        AssertSelfContained(html, doc);
        var rows = doc.QuerySelectorAll("table.matrix tr").Skip(1).ToList();
        var manifest = CorpusManifest.Parse(File.ReadAllText(Path.Combine(RepoPaths.Corpus, CorpusManifest.FileName)));
        var vectors = manifest.Vectors.Where(v => v.Name.Contains("_desc", StringComparison.Ordinal)).ToList();
        bool Hazard(string name) => vectors.Single(v => v.Name == name).ExpectFor(DriverVersion.Newest).Hazard != DriverHazard.None;
        rows.Count.ShouldBe(vectors.Count);
        doc.QuerySelectorAll("table.matrix th code").Select(c => c.TextContent).ShouldBe(["validator", "exec:cat >/dev/null"]);
        foreach (var row in rows)
        {
            var cells = row.QuerySelectorAll("td.cell");
            cells.Length.ShouldBe(2);
            foreach (var cell in cells) cell.GetAttribute("title")!.ShouldContain("Expected: ");
            var name = row.Id!;
            var validator = cells[0].ClassList;
            var accepting = cells[1].ClassList;
            if (name.StartsWith("n_", StringComparison.Ordinal) && Hazard(name))
            {
                // exec: may reach a real driver: a vector that crashes or hangs it is not run.
                validator.ShouldContain("c-rej");
                accepting.ShouldContain("c-skip");
                cells[1].TextContent.ShouldBe("skipped");
            }
            else if (name.StartsWith("n_", StringComparison.Ordinal))
            {
                validator.ShouldContain("c-rej");
                accepting.ShouldContain("c-acc-bad");
                cells[1].TextContent.ShouldBe("accepted");
            }
            else if (name.StartsWith("y_", StringComparison.Ordinal))
            {
                validator.ShouldContain("c-acc");
                accepting.ShouldContain("c-acc");
            }
            else validator.ShouldContain("c-info");
        }
        doc.QuerySelector("#n_desc_devid td.c-rej")!.TextContent.ShouldBe("ENODEV write #0");
        var judged = vectors.Count(v => !v.Name.StartsWith("i_", StringComparison.Ordinal));
        var infos = vectors.Count - judged;
        var accepts = vectors.Count(v => v.Name.StartsWith("y_", StringComparison.Ordinal));
        var hazards = vectors.Count(v => v.Name.StartsWith("n_", StringComparison.Ordinal) && Hazard(v.Name));
        hazards.ShouldBeGreaterThan(0);
        var summary = doc.QuerySelectorAll("table.summary tr").Skip(1).Select(r => r.Children.Select(c => c.TextContent).ToList()).ToList();
        summary[0].ShouldBe(["validator", $"{judged}", "0", "0", $"{infos} of {infos}"]);
        summary[1].Take(4).ShouldBe(["exec:cat >/dev/null", $"{accepts}", $"{judged - accepts - hazards}", $"{hazards}"]);
    }

    /// <summary>Nothing in the page can fetch anything: no script, stylesheet link, image, frame
    /// or object; no URL but in-page anchors and the SVG namespace; and under 1 MB.</summary>
    internal static void AssertSelfContained(string path, IDocument doc)
    {
        new FileInfo(path).Length.ShouldBeLessThan(MaxPageBytes);
        doc.QuerySelectorAll("script, link, img, iframe, object, embed, image, use, foreignObject, audio, video, source").Length.ShouldBe(0);
        foreach (var e in doc.All)
            foreach (var a in e.Attributes)
            {
                if (a.Name == "xmlns") continue;
                if (a.Name is "href" or "src" or "xlink:href" or "action" or "srcset" or "poster")
                    Assert.True(a.Value.StartsWith('#'), $"{e.TagName} {a.Name}={a.Value} leaves the page");
                Assert.False(a.Value.Contains("//", StringComparison.Ordinal), $"{e.TagName} {a.Name}={a.Value} names a URL");
            }
        foreach (var style in doc.QuerySelectorAll("style"))
        {
            style.TextContent.ShouldNotContain("@import");
            style.TextContent.ShouldNotContain("url(", Case.Insensitive);
        }
    }

    /// <summary>Every in-page link points at an element that exists.</summary>
    internal static void AssertLinksResolve(IDocument doc)
    {
        foreach (var a in doc.QuerySelectorAll("a[href]"))
            doc.GetElementById(a.GetAttribute("href")![1..]).ShouldNotBeNull(a.OuterHtml);
    }
}
