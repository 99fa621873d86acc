using System.Text;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Compatibility;
using XeStreamKit.Qemu;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using static XeStreamKit.Cli.Report.Html;

namespace XeStreamKit.Cli.Report;

/// <summary>A compatibility verdict for one <c>--target</c>.</summary>
internal sealed record TargetVerdict(string Spec, CompatibilityResult Result);

/// <summary>The QEMU container a stream came out of: its records (at most <see cref="ReportData.MaxSections"/>) and the device read.</summary>
internal sealed record QemuPicture(QemuStreamHeader? Header, IReadOnlyList<QemuSection> Sections, int SectionsNotListed, QemuVfioDevice? Device,
    QemuStreamSummary? Summary, string? Error, long FileLength);

/// <summary>Everything one report shows, gathered in one pass.</summary>
internal sealed record ReportData(string Input, string CommandLine, string ToolVersion, Profile Profile, ValidationReport? Validation,
    StreamRecorder Recorder, IReadOnlyList<TargetVerdict> Verdicts, QemuPicture? Qemu, string? StreamError)
{
    /// <summary>QEMU records listed; the rest are counted.</summary>
    public const int MaxSections = 200;

    /// <summary>Diagnostics listed; the rest are counted (the validator keeps at most 100 per rule).</summary>
    public const int MaxDiagnostics = 300;

    /// <summary>True when the stream broke no rule of the profile.</summary>
    public bool Valid => Validation is { Valid: true } && StreamError is null;

    /// <summary>The tiles' VRAM pictures, against the first target that gives the LMEM size.</summary>
    public IReadOnlyList<TileVram> Vram()
    {
        var limit = Verdicts.FirstOrDefault(v => v.Result.Target.HasLmem && v.Result.Target.LmemBytes is > 0);
        var lmem = limit?.Result.Target.LmemBytes;
        var source = limit is null ? null : $"--target {limit.Spec}";
        if (lmem is null && Validation?.Target.LmemBytes is > 0 and var own)
        {
            lmem = own;
            source = "the validation target";
        }
        var tiles = new List<TileVram>();
        for (var tile = 0; tile <= byte.MaxValue; tile++)
            if (Recorder.Coverage.TryGetValue((byte)tile, out var covered))
                tiles.Add(TileVram.From((byte)tile, covered, Recorder.Overlaps.GetValueOrDefault((byte)tile), lmem, source));
        return tiles;
    }
}

/// <summary>
/// Writes the report page: the verdict and what is wrong in words, the stream map, the VRAM map
/// per tile with the GGTT summary, the diagnostics with hex excerpts, the compatibility verdicts,
/// the QEMU container, the packet table and the digests. Every diagnostic and verdict links to
/// the row of its packet (<c>#p&lt;index&gt;</c>, <c>#p-end</c> for the end of the stream,
/// <c>#p-rest</c> for packets past the row limit).
/// </summary>
internal static class ReportPage
{
    /// <summary>
    /// Draws the stream and VRAM maps of a made-up stream (a descriptor, two VRAM chunks with a
    /// hole between them, a trailer) and returns them, to be thrown away: under the JIT, what
    /// drawing a real page needs beyond the page's own methods (collections of value tuples,
    /// number formatting, HTML escaping) is then compiled on the warm-up thread too
    /// (<see cref="Plumbing.JitWarmUp"/>), not after the pass.
    /// </summary>
    internal static string Rehearse()
    {
        var recorder = new StreamRecorder(Profile.Kernel);
        const byte version = PacketHeader.ValidValues.Version;
        PacketHeader[] packets =
        [
            new(version, PacketType.Descriptor, 0, 0, 0, 0, 0),
            new(version, PacketType.Vram, 0, 0, 0, 0, 4096),
            new(version, PacketType.Vram, 0, 0, 0, 3 * 4096, 4096),
            new(version, PacketType.Trailer, 0, 0, 0, 0, 0),
        ];
        long offset = 0;
        for (var i = 0; i < packets.Length; i++)
        {
            recorder.OnPacketStart(packets[i], i, offset);
            recorder.OnPacketEnd();
            offset += Packet.HeaderSize + (long)packets[i].Size;
        }
        recorder.OnEnd(offset);
        var h = new StringBuilder();
        StreamMapSvg.Write(h, recorder);
        foreach (var (tile, covered) in recorder.Coverage)
            VramMapSvg.Write(h, TileVram.From(tile, covered, recorder.Overlaps.GetValueOrDefault(tile), 4 * 4096, "a rehearsal"), recorder.Rows, []);
        return h.ToString();
    }

    public static string Render(ReportData d)
    {
        var h = new StringBuilder(64 * 1024);
        var name = d.Input == "-" ? "stdin" : Path.GetFileName(d.Input);
        Begin(h, $"xsk report: {name}");
        Header(h, d, name);
        Problems(h, d);
        if (d.Validation is not null)
        {
            h.Append("<h2 id=\"stream\">Stream map</h2>");
            StreamMapSvg.Write(h, d.Recorder);
            StreamMapSvg.Legend(h);
            if (d.Recorder.PacketsNotDrawn > 0)
                h.Append($"<p class=\"note\">Capped: only the first {d.Recorder.Rows.Count} rows are drawn; <a href=\"#p-rest\">{d.Recorder.PacketsNotDrawn} more packets</a> ({Units.Bytes(d.Recorder.BytesNotDrawn)}) from packet #{d.Recorder.FirstNotDrawn} are counted, not drawn, to keep this page small.</p>");
            Vram(h, d);
        }
        Diagnostics(h, d);
        Compatibility(h, d);
        if (d.Qemu is not null) Qemu(h, d.Qemu);
        if (d.Validation is not null) Packets(h, d);
        if (d.Validation?.Digest is { } digest) Digest(h, digest);
        h.Append("<footer class=\"small mute\"><p>Written by xsk ").Append(Esc(d.ToolVersion)).Append(" (XeStreamKit) with <code>").Append(Esc(d.CommandLine))
            .Append("</code>. One pass over the image; self-contained (no scripts, fonts or images from elsewhere).</p></footer>");
        End(h);
        return h.ToString();
    }

    private static void Header(StringBuilder h, ReportData d, string name)
    {
        h.Append("<h1>").Append(Esc(name)).Append("</h1>");
        var v = d.Validation;
        h.Append("<p class=\"verdict\">");
        if (v is null) h.Append("<span class=\"badge b-error\">NOT READ</span> ").Append(Esc(d.StreamError));
        else
        {
            h.Append(d.Valid ? "<span class=\"badge b-ok\">VALID</span>" : "<span class=\"badge b-error\">INVALID</span>");
            h.Append($" for the <b>{Esc(CatalogIds.Of(d.Profile))}</b> profile: {Plural(v.Errors, "error")}, {Plural(v.Warnings, "warning")}. ");
            h.Append($"{Plural(v.Packets, "packet")}, {Esc(Units.Bytes(v.Bytes))} ({v.Bytes} bytes); {Esc(v.Target.Describe())}.");
        }
        h.Append("</p>");
        if (d.Qemu?.Device is { } dev)
            h.Append($"<p class=\"mute\">Read from a QEMU migration file: VFIO device <b>{Esc(dev.IdStr)}</b>, section {dev.SectionId}, device data from file offset {Hex(dev.FirstDataOffset)}; offsets below are in its Xe stream.</p>");
        if (d.Verdicts.Count > 0)
        {
            h.Append("<p>");
            foreach (var t in d.Verdicts)
                h.Append(t.Result.Compatible
                    ? $"<span class=\"badge b-ok\">restores</span> on <code>{Esc(t.Spec)}</code> &nbsp; "
                    : $"<span class=\"badge b-error\">{Esc(ErrnoText.Name(t.Result.Errno))}</span> on <code>{Esc(t.Spec)}</code> &nbsp; ");
            h.Append("</p>");
        }
    }

    /// <summary>What is wrong, in words, before any table: the errors, the VRAM holes, the failing targets.</summary>
    private static void Problems(StringBuilder h, ReportData d)
    {
        var items = new List<string>();
        if (d.StreamError is not null) items.Add(Esc(d.StreamError));
        var vram = d.Validation is null ? [] : d.Vram();
        foreach (var t in vram.Where(t => t.Gaps.Count > 0 || t.Overlaps.Count > 0 || t.PastBytes > 0))
            items.Add($"<a href=\"#vram-tile{t.Tile}\">VRAM</a>: {Esc(VramMapSvg.Headline(t))}");
        if (d.Validation is { } v)
        {
            foreach (var diag in v.Diagnostics.Where(x => x.Severity == Severity.Error).Take(6))
                items.Add($"{PacketLink(d, diag.PacketIndex)}: <b>{Esc(diag.Rule.Id)}</b> {Esc(diag.Message)}{Esc(Consequence(diag.Errno, diag.ReportedAt))}");
            var more = v.Errors - Math.Min(6, v.Diagnostics.Count(x => x.Severity == Severity.Error));
            if (more > 0) items.Add($"<a href=\"#diagnostics\">{more} more error{(more == 1 ? "" : "s")}</a>");
        }
        foreach (var t in d.Verdicts.Where(t => !t.Result.Compatible))
            items.Add($"<a href=\"#compat\">Does not restore</a> on <code>{Esc(t.Spec)}</code>: {Esc(t.Result.Reason)}");
        if (items.Count == 0)
        {
            h.Append("<div class=\"problems ok\"><b>Nothing wrong found.</b> ");
            h.Append(vram.Count > 0 ? Esc(string.Join("; ", vram.Select(VramMapSvg.Headline))) + "." : "");
            h.Append("</div>");
            return;
        }
        h.Append("<div class=\"problems\" id=\"problems\"><b>What is wrong</b><ul>");
        foreach (var i in items) h.Append("<li>").Append(i).Append("</li>");
        h.Append("</ul></div>");
    }

    private static void Vram(StringBuilder h, ReportData d)
    {
        h.Append("<h2 id=\"vram\">VRAM and GGTT</h2>");
        var tiles = d.Vram();
        if (tiles.Count == 0) h.Append("<p class=\"mute\">No VRAM chunks in the stream (a platform without LMEM, or none sent).</p>");
        var others = new List<LmemMark>();
        foreach (var v in d.Verdicts)
            if (v.Result.Target.LmemBytes is > 0 and var l && (tiles.Count == 0 || l != tiles[0].Lmem)) others.Add(new LmemMark(v.Spec, l));
        foreach (var t in tiles)
        {
            var chunks = d.Recorder.Rows.Where(r => r.IsVram && r.Header.TileId == t.Tile);
            VramMapSvg.Write(h, t, chunks, others);
            if (t.Lmem is null) h.Append("<p class=\"note small\">Without a <code>--target</code> the VF's LMEM size is unknown: the line ends where the chunks end, and bytes past the LMEM cannot be told.</p>");
            if (t.Incomplete) h.Append("<p class=\"note small\">The chunks were too scattered to keep every range: the picture is incomplete.</p>");
            ListRanges(h, "Holes", t.Gaps);
            ListRanges(h, "Sent twice", t.Overlaps);
        }
        if (tiles.Count > 0)
            h.Append("<p class=\"legend small\"><span><i class=\"sw\" style=\"background:#56b4e9\"></i>chunks sent</span><span><i class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#c62828 0 3px,#fde0e0 3px 7px)\"></i>hole (LMEM no chunk covers)</span><span><i class=\"sw\" style=\"background:#ef6c00\"></i>sent twice</span><span><i class=\"sw\" style=\"background:#c62828\"></i>past the end of the LMEM</span><span><i class=\"sw\" style=\"background:#eceff1;border:1px solid #90a4ae\"></i>the VF's LMEM</span></p>");

        h.Append("<h3>GGTT</h3>");
        var ggtt = d.Recorder.Ggtt;
        if (ggtt.Count == 0) h.Append("<p class=\"mute\">No GGTT packet.</p>");
        else
        {
            h.Append("<table class=\"ggtt\"><tr><th>tile</th><th>GT</th><th>packet</th><th class=\"num\">PTEs</th><th class=\"num\">present</th><th class=\"num\">in LMEM (DM)</th><th class=\"num\">VF id bits 11:2 set</th><th>VF ids seen</th></tr>");
            foreach (var g in ggtt)
            {
                var vfid = g.WithVfId == 0 ? "none (as a save writes)" : string.Join(", ", g.VfIds.AsSpan(0, g.VfIdCount).ToArray()) + (g.MoreVfIds ? ", ..." : "") + " (a save clears them)";
                h.Append($"<tr class=\"{(g.WithVfId > 0 ? "flag-warning" : "")}\"><td>{g.Tile}</td><td>{g.Gt}</td><td>{PacketLink(d, g.PacketIndex)}</td><td class=\"num\">{g.Ptes}</td><td class=\"num\">{g.Present}</td><td class=\"num\">{g.LocalMemory}</td><td class=\"num\">{g.WithVfId}</td><td>{Esc(vfid)}</td></tr>");
            }
            h.Append("</table>");
        }
    }

    private static void ListRanges(StringBuilder h, string what, IReadOnlyList<(ulong Start, ulong End)> ranges)
    {
        if (ranges.Count == 0) return;
        h.Append($"<p class=\"small\"><b>{what}:</b> ");
        for (var i = 0; i < Math.Min(12, ranges.Count); i++)
            h.Append(i == 0 ? "" : ", ").Append($"[{Hex(ranges[i].Start)}, {Hex(ranges[i].End)}) {Esc(Units.Bytes(ranges[i].End - ranges[i].Start))}");
        if (ranges.Count > 12) h.Append($", and {ranges.Count - 12} more");
        h.Append("</p>");
    }

    private static void Diagnostics(StringBuilder h, ReportData d)
    {
        h.Append($"<h2 id=\"diagnostics\">Diagnostics ({Esc(CatalogIds.Of(d.Profile))} profile)</h2>");
        if (d.Validation is not { } v) { h.Append("<p class=\"mute\">No Xe stream was read.</p>"); return; }
        if (v.Diagnostics.Count == 0) { h.Append("<p>None: the stream breaks no rule of the profile.</p>"); return; }
        h.Append("<table class=\"diagnostics\"><tr><th>severity</th><th>rule</th><th>packet</th><th>offset</th><th>what</th><th>driver reports</th></tr>");
        foreach (var diag in v.Diagnostics.Take(ReportData.MaxDiagnostics))
        {
            var sev = SeverityName(diag.Severity);
            h.Append($"<tr class=\"diag flag-{sev}\"><td><span class=\"badge b-{sev}\">{sev}</span></td>");
            h.Append($"<td><code title=\"{Esc(diag.Rule.Statement)}\">{Esc(diag.Rule.Id)}</code><div class=\"small mute\">{Esc(diag.Rule.Statement)}</div></td>");
            h.Append($"<td>{PacketLink(d, diag.PacketIndex)}</td><td class=\"mono\">{Hex(diag.StreamOffset)}</td>");
            h.Append($"<td>{Esc(diag.Message)}");
            Excerpt(h, d.Recorder.ExcerptAt(diag.StreamOffset));
            h.Append($"</td><td>{Esc(DriverReports(diag))}</td></tr>");
        }
        h.Append("</table>");
        var hidden = v.Diagnostics.Count - ReportData.MaxDiagnostics;
        var suppressed = v.Suppressed().ToList();
        if (hidden > 0 || suppressed.Count > 0)
        {
            h.Append("<p class=\"note\">Capped: ");
            if (hidden > 0) h.Append($"{hidden} more diagnostics are not listed here. ");
            foreach (var (rule, count) in suppressed) h.Append($"{count} more {Esc(rule)} were counted, not kept. ");
            h.Append("<code>xsk validate --json</code> lists every one kept.</p>");
        }
    }

    private static void Excerpt(StringBuilder h, HexExcerpt? e)
    {
        if (e is null) return;
        if (!e.AnyKnown)
        {
            h.Append("<div class=\"small mute\">(no bytes at this offset were read in the pass: past the end of the stream, or payload skipped)</div>");
            return;
        }
        h.Append("<pre class=\"hex\">");
        for (var line = 0; line < e.Bytes.Length; line += 16)
        {
            var at = e.Start + line;
            var hex = new StringBuilder();
            var any = false;
            for (var i = line; i < Math.Min(line + 16, e.Bytes.Length); i++)
            {
                var cell = e.Known[i] ? e.Bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture) : "..";
                any |= e.Known[i];
                hex.Append(e.Start + i == e.Focus ? $"<b>{cell}</b>" : cell).Append(i % 16 == 7 ? "  " : " ");
            }
            if (any) h.Append(Hex(at).PadLeft(10)).Append("  ").Append(hex.ToString().TrimEnd()).Append('\n');
        }
        h.Append("</pre>");
    }

    private static void Compatibility(StringBuilder h, ReportData d)
    {
        h.Append("<h2 id=\"compat\">Compatibility</h2>");
        if (d.Verdicts.Count == 0)
        {
            h.Append("<p class=\"mute\">No <code>--target</code> given: add <code>--target bmg,lmem=2GiB</code> (or <code>@host.json</code>, <code>host:&lt;BDF&gt;</code>) to see whether the image restores there.</p>");
            return;
        }
        h.Append("<table class=\"compat\"><tr><th>target</th><th>verdict</th><th>errno</th><th>when</th><th>packet</th><th>why</th></tr>");
        foreach (var t in d.Verdicts)
        {
            var r = t.Result;
            var f = r.Failure;
            h.Append($"<tr class=\"{(r.Compatible ? "" : "flag-error")}\"><td><code>{Esc(t.Spec)}</code><div class=\"small mute\">{Esc(r.Target.Describe())}</div></td>");
            h.Append(r.Compatible ? "<td><span class=\"badge b-ok\">restores</span></td><td>-</td><td>-</td><td>-</td>" :
                $"<td><span class=\"badge b-error\">fails</span></td><td><code>{Esc(ErrnoText.Name(r.Errno))}</code></td><td>{Esc(When(f!.At))}</td><td>{(f.PacketIndex >= 0 || f.At != ReportedAt.Setup ? PacketLink(d, f.Cause?.PacketIndex ?? f.PacketIndex) : "-")}</td>");
            h.Append($"<td>{Esc(r.Reason)}");
            foreach (var w in r.Warnings.Take(5)) h.Append($"<div class=\"small\">warning {Esc(w.Rule.Id)} at {PacketLink(d, w.PacketIndex)}: {Esc(w.Message)}</div>");
            h.Append("</td></tr>");
        }
        h.Append("</table>");
    }

    private static void Qemu(StringBuilder h, QemuPicture q)
    {
        h.Append("<h2 id=\"qemu\">QEMU container</h2>");
        if (q.Header is { } hd)
            h.Append($"<p>QEMU migration stream version {hd.Version}{(hd.MachineType is { } m ? $", machine <code>{Esc(m)}</code>" : "")}, target page {hd.TargetPageSize} B.</p>");
        if (q.Device is { } dev)
            h.Append($"<p>VFIO device <b>{Esc(dev.IdStr)}</b> (section {dev.SectionId}): {dev.DataBytes} bytes ({Esc(Units.Bytes(dev.DataBytes))}) of device data in {dev.DataBlocks} DEV_DATA_STATE blocks (largest {Esc(Units.Bytes(dev.LargestBlock))}) from file offset {Hex(dev.FirstDataOffset)}: the Xe stream drawn above.</p>");
        if (q.Error is not null) h.Append($"<p class=\"problems\">{Esc(q.Error)}</p>");
        var end = Math.Max(q.FileLength, q.Sections.Count > 0 ? q.Sections.Max(s => Math.Max(s.EndOffset, s.Offset + 1)) : 1);
        if (q.Sections.Count > 0) QemuBar(h, q, end);
        h.Append("<table class=\"qemu\"><tr><th>offset</th><th>#</th><th>record</th><th>id</th><th>idstr</th><th>found</th><th>end</th><th>holds</th></tr>");
        foreach (var s in q.Sections)
        {
            var isDevice = q.Device is { } dv && s.SectionId == dv.SectionId && s.Handler == QemuHandlerKind.Vfio;
            h.Append($"<tr id=\"q{s.Index}\" class=\"{(isDevice && s.Vfio?.DataBlocks > 0 ? "flag-warning" : "")}\"><td class=\"mono\">{Hex(s.Offset)}</td><td>{s.Index}</td><td>{Esc(QemuText.RecordName(s.Type))}</td><td>{s.SectionId}</td><td><code>{Esc(s.IdStr)}</code></td>");
            h.Append($"<td>{(s.Delimitation == QemuDelimitation.Scanned ? "scanned" : "parsed")}</td><td class=\"mono\">{(s.EndOffset >= 0 ? Hex(s.EndOffset) : "-")}</td><td>{Esc(Holds(s))}</td></tr>");
        }
        h.Append("</table>");
        if (q.SectionsNotListed > 0) h.Append($"<p class=\"note\">Capped: {q.SectionsNotListed} more records are not listed.</p>");
        if (q.Summary is { EofOffset: >= 0 } sum)
            h.Append($"<p class=\"small mute\">EOF at {Hex(sum.EofOffset)}; JSON description of {sum.VmDescriptionLength} bytes; {sum.TrailingBytes} trailing bytes; {sum.ScannedSections} records delimited by scanning.</p>");
    }

    private static void QemuBar(StringBuilder h, QemuPicture q, long end)
    {
        const int width = 1180, left = 10, usable = width - 20;
        double X(long v) => left + usable * ((double)Math.Clamp(v, 0, end) / end);
        h.Append($"<svg id=\"qemu-map\" role=\"img\" aria-label=\"QEMU file layout\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"58\" viewBox=\"0 0 {width} 58\">");
        h.Append($"<rect x=\"{left}\" y=\"8\" width=\"{usable}\" height=\"26\" fill=\"#eceff1\"/>");
        foreach (var s in q.Sections)
        {
            var e = s.EndOffset >= 0 ? s.EndOffset : s.Offset + 1;
            var isDevice = q.Device is { } dv && s.SectionId == dv.SectionId && s.Vfio?.DataBlocks > 0;
            var fill = isDevice ? Colour(PacketType.Vram) : s.Handler switch
            {
                QemuHandlerKind.Ram => "#9e9e9e",
                QemuHandlerKind.Vfio or QemuHandlerKind.VfioConfig => "#7b5ea7",
                QemuHandlerKind.None => "#cfd8dc",
                _ => "#bdbdbd",
            };
            h.Append($"<a href=\"#q{s.Index}\"><rect x=\"{N(X(s.Offset))}\" y=\"8\" width=\"{N(Math.Max(2, X(e) - X(s.Offset)))}\" height=\"26\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"0.5\"><title>{Esc($"{s.Label} at {Hex(s.Offset)}-{Hex(e)}: {Holds(s)}")}</title></rect></a>");
        }
        h.Append($"<text x=\"{left}\" y=\"50\" font-size=\"11\" fill=\"#5f6368\">file offset 0x0</text><text x=\"{left + usable}\" y=\"50\" font-size=\"11\" fill=\"#5f6368\" text-anchor=\"end\">{Hex(end)}</text>");
        if (q.Device is { } d)
            h.Append($"<text x=\"{width / 2}\" y=\"50\" font-size=\"11\" fill=\"#1565c0\" text-anchor=\"middle\">light blue: the sections holding {Esc(d.IdStr)}'s device data</text>");
        h.Append("</svg>");
    }

    private static string Holds(QemuSection s)
    {
        if (s.Type == QemuRecordType.Command) return $"command {s.Command}, {s.CommandLength} bytes";
        if (s.Ram is { } r) return $"RAM: {r.Pages} pages, {r.ZeroPages} zero pages{(r.TotalBytes > 0 ? $", MEM_SIZE {Units.Bytes(r.TotalBytes)}" : "")}";
        if (s.Vfio is { } v)
            return v.DataBlocks > 0 ? $"{v.DataBlocks} DEV_DATA_STATE blocks, {v.DataBytes} bytes of device data (largest {Units.Bytes(v.LargestBlock)})"
                : v.ConfigState ? "DEV_CONFIG_STATE (vfio-pci config)" : v.SetupState ? "DEV_SETUP_STATE" : v.DummyEndOfState ? "END_OF_STATE only" : "no device data";
        return s.PayloadLength >= 0 ? $"vmstate, {s.PayloadLength} bytes (not parsed)" : "vmstate";
    }

    private static void Packets(StringBuilder h, ReportData d)
    {
        var rec = d.Recorder;
        h.Append("<h2 id=\"packets\">Packets</h2>");
        h.Append("<table class=\"packets\"><tr><th>#</th><th>stream offset</th><th>type</th><th>tile</th><th>GT</th><th>flags</th><th>offset</th><th class=\"num\">size</th><th>holds</th></tr>");
        foreach (var r in rec.Rows)
        {
            var flag = r.Worst switch { Severity.Error => "flag-error", Severity.Warning => "flag-warning", _ => "" };
            var index = r.IsRun ? $"#{r.FirstIndex}-#{r.LastIndex}" : $"#{r.FirstIndex}";
            var holds = r.Header.Type == PacketType.Vram
                ? $"LMEM [{Hex(r.LmemStart)}, {Hex(r.LmemEnd)}){(r.IsRun ? $", {r.Count} contiguous chunks" : "")}"
                : r.Header.Type switch
                {
                    PacketType.Ggtt => $"{r.PayloadBytes / 8} PTEs",
                    PacketType.Descriptor => "device ids (KLVs)",
                    PacketType.Mmio => "MMIO registers",
                    PacketType.Guc => "GuC state",
                    PacketType.Trailer => "end of data",
                    _ => "not a type the driver knows",
                };
            if (r.Truncated) holds += "; cut off by the end of the stream";
            h.Append($"<tr id=\"{r.Anchor}\" class=\"{flag}\"><td>{index}</td><td class=\"mono\">{Hex(r.StreamOffset)}</td><td><i class=\"sw\" style=\"background:{Colour(r.Header.Type)}\"></i>{Esc(TypeName(r.Header.Type))}</td>");
            h.Append($"<td>{r.Header.TileId}</td><td>{r.Header.GtId}</td><td class=\"mono\">{Hex(r.Header.Flags)}</td><td class=\"mono\">{Hex(r.Header.Offset)}</td><td class=\"num\">{Esc(r.IsRun ? Units.Bytes(r.PayloadBytes) : r.PayloadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))}</td><td>{Esc(holds)}</td></tr>");
        }
        if (rec.PacketsNotDrawn > 0)
            h.Append($"<tr id=\"p-rest\"><td colspan=\"9\">packets #{rec.FirstNotDrawn} and on: {rec.PacketsNotDrawn} packets, {Esc(Units.Bytes(rec.BytesNotDrawn))}, not listed (the page lists at most {StreamRecorder.MaxRows} rows; runs of contiguous VRAM chunks count as one)</td></tr>");
        var tail = rec.PartialHeaderBytes > 0 ? $"; it ends inside a header ({rec.PartialHeaderBytes} of 24 bytes)" : "";
        h.Append($"<tr id=\"p-end\"><td colspan=\"9\">end of the stream at {Hex(rec.StreamLength)} ({rec.StreamLength} bytes){Esc(tail)}</td></tr>");
        h.Append("</table>");
    }

    private static void Digest(StringBuilder h, StreamDigest digest)
    {
        h.Append("<h2 id=\"digest\">Digests (CRC-32C)</h2><table class=\"digest\"><tr><th>what</th><th class=\"num\">packets</th><th class=\"num\">bytes</th><th>CRC-32C</th></tr>");
        h.Append($"<tr><td>the whole stream</td><td class=\"num\">-</td><td class=\"num\">{digest.Bytes}</td><td class=\"mono\">0x{digest.Crc32C:X8}</td></tr>");
        foreach (var t in digest.ByType)
            h.Append($"<tr><td><i class=\"sw\" style=\"background:{Colour(t.Type)}\"></i>{Esc(TypeName(t.Type))} payloads</td><td class=\"num\">{t.Packets}</td><td class=\"num\">{t.PayloadBytes}</td><td class=\"mono\">0x{t.Crc32C:X8}</td></tr>");
        h.Append("</table><p class=\"small mute\">The vram line is the VF's LMEM content whatever the chunk size: two images of the same state agree on it.</p>");
    }

    /// <summary>A link to the row of packet <paramref name="index"/>: its row, the capped rest, or the end of the stream.</summary>
    public static string PacketLink(ReportData d, long index)
    {
        if (index < 0) return "<a href=\"#p-end\">end of stream</a>";
        if (d.Recorder.RowOf(index) is { } row) return $"<a href=\"#{row.Anchor}\">#{index}</a>";
        return d.Recorder.PacketsNotDrawn > 0 && index >= d.Recorder.FirstNotDrawn
            ? $"<a href=\"#p-rest\">#{index}</a>"
            : "<a href=\"#p-end\">#" + index + "</a>";
    }

    /// <summary>When the driver reports a rule, by the name of the moment (new moments show by their name).</summary>
    public static string When(ReportedAt at) => at switch
    {
        ReportedAt.Write => "on the write() of the packet",
        ReportedAt.Finish => "when leaving RESUMING",
        ReportedAt.Setup => "entering RESUMING",
        ReportedAt.None => "not enforced by the driver",
        _ => at.ToString().ToLowerInvariant(),
    };

    private static string DriverReports(Diagnostic d) => d.ReportedAt == ReportedAt.None || d.Errno == Errno.None
        ? "nothing (the driver does not check this)"
        : $"{ErrnoText.Name(d.Errno)} {When(d.ReportedAt)}{(d.Cause != Errno.None ? $" (GT worker: {ErrnoText.Name(d.Cause)})" : "")}";

    private static string Consequence(Errno errno, ReportedAt at) =>
        at == ReportedAt.None || errno == Errno.None ? "" : $" - the driver returns {ErrnoText.Name(errno)} {When(at)}";

    public static string SeverityName(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static string Plural(long n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";
}
