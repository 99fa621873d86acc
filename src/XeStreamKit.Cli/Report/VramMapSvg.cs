using System.Text;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Validation;
using static XeStreamKit.Cli.Report.Html;

namespace XeStreamKit.Cli.Report;

/// <summary>What one tile's VRAM chunks cover of its LMEM: the ranges, the holes, the bytes sent
/// twice and the bytes past the end of the LMEM (when a target says where that is).</summary>
internal sealed record TileVram(byte Tile, IReadOnlyList<(ulong Start, ulong End)> Covered, IReadOnlyList<(ulong Start, ulong End)> Overlaps,
    IReadOnlyList<(ulong Start, ulong End)> Gaps, ulong? Lmem, string? LmemSource, bool Incomplete)
{
    public ulong CoveredBytes => Sum(Covered, 0);

    public ulong GapBytes => Sum(Gaps, 0);

    public ulong OverlapBytes => Sum(Overlaps, 0);

    /// <summary>Covered bytes at or past the LMEM's end.</summary>
    public ulong PastBytes => Lmem is { } l ? Sum(Covered, l) : 0;

    public ulong Extent => Math.Max(Lmem ?? 0, Covered.Count > 0 ? Covered[^1].End : 0);

    public static TileVram From(byte tile, IntervalSet covered, IntervalSet? overlaps, ulong? lmem, string? lmemSource)
    {
        var gaps = new List<(ulong, ulong)>();
        ulong at = 0;
        var limit = lmem ?? (covered.Ranges.Count > 0 ? covered.Ranges[^1].End : 0);
        foreach (var (s, e) in covered.Ranges)
        {
            if (s > at) gaps.Add((at, Math.Min(s, limit)));
            at = Math.Max(at, e);
            if (at >= limit) break;
        }
        if (at < limit) gaps.Add((at, limit));
        gaps.RemoveAll(g => g.Item2 <= g.Item1);
        return new TileVram(tile, covered.Ranges, overlaps?.Ranges ?? [], gaps, lmem, lmemSource, covered.Incomplete || overlaps?.Incomplete == true);
    }

    /// <summary>Bytes of <paramref name="ranges"/> at or above <paramref name="from"/>.</summary>
    private static ulong Sum(IReadOnlyList<(ulong Start, ulong End)> ranges, ulong from)
    {
        ulong sum = 0;
        for (var i = 0; i < ranges.Count; i++)
            if (ranges[i].End > from) sum += ranges[i].End - Math.Max(ranges[i].Start, from);
        return sum;
    }
}

/// <summary>Where a target's LMEM ends, drawn as a dashed line.</summary>
internal sealed record LmemMark(string Label, ulong Bytes);

/// <summary>
/// The VRAM map of one tile: the VF's LMEM as a line from 0 to its size, the chunks sent on it,
/// holes hatched red, bytes sent twice in orange above it, bytes past the LMEM in red beyond its
/// end; each drawn row of chunks links to its table row. Holes and overlaps too small for the
/// scale are drawn at least 3 px wide, and listed in words below.
/// </summary>
internal static class VramMapSvg
{
    private const int Width = 1180;
    private const int Left = 10;
    private const int Right = 20;
    private const int TrackY = 44;
    private const int TrackHeight = 30;

    public static void Write(StringBuilder h, TileVram t, IEnumerable<PacketRow> chunks, IReadOnlyList<LmemMark> otherLimits)
    {
        var extent = Math.Max(1, t.Extent);
        foreach (var mark in otherLimits) extent = Math.Max(extent, mark.Bytes);
        // Room past the end so "past the LMEM" reads as outside the line.
        var scaleEnd = t.PastBytes > 0 || t.Lmem is null ? extent : extent + extent / 50;
        var usable = Width - Left - Right;
        double X(ulong v) => Left + usable * ((double)v / scaleEnd);
        double W(ulong a, ulong b, double min = 0) => Math.Max(min, X(b) - X(a));
        var height = TrackY + TrackHeight + 58 + otherLimits.Count * 14;
        h.Append($"<svg class=\"vram-map\" id=\"vram-tile{t.Tile}\" role=\"img\" aria-label=\"VRAM map of tile {t.Tile}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\">");
        h.Append("<defs><pattern id=\"gap" + t.Tile + "\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fde0e0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#c62828\" stroke-width=\"4\"/></pattern></defs>");

        h.Append($"<text x=\"{Left}\" y=\"14\" font-size=\"13\" font-weight=\"600\" fill=\"{(t.Gaps.Count > 0 || t.Overlaps.Count > 0 || t.PastBytes > 0 ? "#c62828" : "#1d1d1f")}\">{Esc(Headline(t))}</text>");

        // The LMEM line itself.
        var lmemEnd = t.Lmem ?? extent;
        h.Append($"<rect class=\"lmem\" x=\"{N(X(0))}\" y=\"{TrackY}\" width=\"{N(W(0, lmemEnd))}\" height=\"{TrackHeight}\" fill=\"#eceff1\" stroke=\"#90a4ae\"><title>{Esc(LmemTitle(t))}</title></rect>");

        // Chunks, by drawn row (a run of contiguous chunks is one box).
        foreach (var r in chunks)
        {
            if (r.LmemEnd <= r.LmemStart) continue;
            h.Append($"<a href=\"#{r.Anchor}\" class=\"chunk\"><rect x=\"{N(X(r.LmemStart))}\" y=\"{TrackY + 3}\" width=\"{N(W(r.LmemStart, r.LmemEnd, 2))}\" height=\"{TrackHeight - 6}\" fill=\"{Colour(Format.PacketType.Vram)}\" stroke=\"{(r.Worst == Severity.Error ? "#c62828" : "#1565c0")}\" stroke-width=\"{(r.Worst == Severity.Error ? 2 : 0.6)}\">");
            h.Append("<title>").Append(Esc(StreamMapSvg.Describe(r))).Append("</title></rect></a>");
            // Where one chunk ends and the next begins, when the run's chunks share a size.
            if (r.IsRun && r.Uniform && r.ChunkBytes > 0 && r.Count <= 256)
                for (var b = r.LmemStart + r.ChunkBytes; b < r.LmemEnd; b += r.ChunkBytes)
                    h.Append($"<line x1=\"{N(X(b))}\" y1=\"{TrackY + 3}\" x2=\"{N(X(b))}\" y2=\"{TrackY + TrackHeight - 3}\" stroke=\"#fff\" stroke-width=\"1.5\" pointer-events=\"none\"/>");
        }

        foreach (var (s, e) in t.Gaps)
            h.Append($"<rect class=\"gap\" x=\"{N(X(s))}\" y=\"{TrackY}\" width=\"{N(W(s, e, 3))}\" height=\"{TrackHeight}\" fill=\"url(#gap{t.Tile})\" stroke=\"#c62828\"><title>{Esc($"hole: no chunk covers LMEM [{Hex(s)}, {Hex(e)}), {Units.Bytes(e - s)}")}</title></rect>");
        foreach (var (s, e) in t.Overlaps)
            h.Append($"<rect class=\"overlap\" x=\"{N(X(s))}\" y=\"{TrackY - 12}\" width=\"{N(W(s, e, 3))}\" height=\"10\" fill=\"#ef6c00\"><title>{Esc($"sent twice: LMEM [{Hex(s)}, {Hex(e)}), {Units.Bytes(e - s)} covered by more than one chunk")}</title></rect>");
        if (t.Lmem is { } l && t.PastBytes > 0)
        {
            var end = t.Covered[^1].End;
            h.Append($"<rect class=\"past\" x=\"{N(X(l))}\" y=\"{TrackY - 4}\" width=\"{N(W(l, end, 3))}\" height=\"{TrackHeight + 8}\" fill=\"#c62828\" opacity=\"0.85\"><title>{Esc($"past the LMEM: [{Hex(l)}, {Hex(end)}), {Units.Bytes(t.PastBytes)} beyond the {Units.Bytes(l)} the target gives the VF")}</title></rect>");
        }
        // Words on the picture where there is room, so it reads without the legend.
        foreach (var (s, e) in t.Gaps)
            if (W(s, e) >= 70) Label(h, (X(s) + X(e)) / 2, TrackY + 19, $"hole {Units.Bytes(e - s)}", "#b71c1c", "#fff");
        foreach (var (s, e) in t.Overlaps)
            if (W(s, e) >= 90) h.Append($"<text x=\"{N((X(s) + X(e)) / 2)}\" y=\"{TrackY - 15}\" font-size=\"11\" font-weight=\"600\" fill=\"#e65100\" text-anchor=\"middle\">{Esc($"sent twice {Units.Bytes(e - s)}")}</text>");
        if (t.Lmem is { } lp && t.PastBytes > 0 && W(lp, t.Covered[^1].End) >= 70)
            Label(h, (X(lp) + X(t.Covered[^1].End)) / 2, TrackY + 19, $"{Units.Bytes(t.PastBytes)} past LMEM", "#fff", null);
        if (t.Lmem is { } lm)
        {
            h.Append($"<line x1=\"{N(X(lm))}\" y1=\"{TrackY - 16}\" x2=\"{N(X(lm))}\" y2=\"{TrackY + TrackHeight + 6}\" stroke=\"#263238\" stroke-width=\"2\"/>");
            h.Append($"<text x=\"{N(X(lm))}\" y=\"{TrackY - 20}\" font-size=\"11\" text-anchor=\"{(X(lm) > Width - 200 ? "end" : "middle")}\" fill=\"#263238\">end of LMEM {Esc(Units.Bytes(lm))}</text>");
        }
        var ly = TrackY + TrackHeight + 40;
        foreach (var (label, bytes) in otherLimits)
        {
            h.Append($"<line x1=\"{N(X(bytes))}\" y1=\"{TrackY}\" x2=\"{N(X(bytes))}\" y2=\"{ly - 4}\" stroke=\"#6a1b9a\" stroke-dasharray=\"3 3\"/>");
            h.Append($"<text x=\"{N(X(bytes))}\" y=\"{ly + 6}\" font-size=\"11\" fill=\"#6a1b9a\" text-anchor=\"{(X(bytes) > Width - 260 ? "end" : "start")}\">{Esc($"{label}: LMEM ends at {Units.Bytes(bytes)}")}</text>");
            ly += 14;
        }

        // Axis: round power-of-two steps, at most 8 ticks.
        var step = 1UL;
        while (scaleEnd / step > 8) step <<= 1;
        for (ulong v = 0; v <= scaleEnd; v += step)
        {
            h.Append($"<line x1=\"{N(X(v))}\" y1=\"{TrackY + TrackHeight}\" x2=\"{N(X(v))}\" y2=\"{TrackY + TrackHeight + 5}\" stroke=\"#5f6368\"/>");
            h.Append($"<text x=\"{N(X(v))}\" y=\"{TrackY + TrackHeight + 18}\" font-size=\"11\" fill=\"#5f6368\" text-anchor=\"{(v == 0 ? "start" : "middle")}\">{Esc(SizeLabel(v))}</text>");
            if (v > ulong.MaxValue - step) break;
        }
        h.Append("</svg>");
    }

    private static void Label(StringBuilder h, double x, double y, string text, string colour, string? halo)
    {
        var stroke = halo is null ? "" : $" stroke=\"{halo}\" stroke-width=\"3\" paint-order=\"stroke\"";
        h.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"12\" font-weight=\"700\" fill=\"{colour}\"{stroke} text-anchor=\"middle\" pointer-events=\"none\">{Esc(text)}</text>");
    }

    /// <summary>One line on the tile: how much of the LMEM is covered and what is wrong.</summary>
    public static string Headline(TileVram t)
    {
        var parts = new List<string>
        {
            t.Lmem is { } l
                ? $"tile {t.Tile}: chunks cover {Units.Bytes(t.CoveredBytes - t.PastBytes)} of {Units.Bytes(l)} LMEM"
                : $"tile {t.Tile}: chunks cover {Units.Bytes(t.CoveredBytes)} (LMEM size unknown without --target)",
        };
        if (t.Gaps.Count > 0) parts.Add($"{t.Gaps.Count} hole{(t.Gaps.Count == 1 ? "" : "s")} ({Units.Bytes(t.GapBytes)})");
        if (t.Overlaps.Count > 0) parts.Add($"{Units.Bytes(t.OverlapBytes)} sent twice");
        if (t.PastBytes > 0) parts.Add($"{Units.Bytes(t.PastBytes)} past the LMEM");
        if (t.Gaps.Count == 0 && t.Overlaps.Count == 0 && t.PastBytes == 0) parts.Add("no holes, no overlaps");
        return string.Join("; ", parts);
    }

    /// <summary>An axis label: exact at round sizes (1280 MiB rather than a rounded 1.2 GiB).</summary>
    private static string SizeLabel(ulong v) =>
        v == 0 ? "0" : v % (1UL << 30) == 0 ? $"{v >> 30} GiB" : v % (1UL << 20) == 0 ? $"{v >> 20} MiB" : v % (1UL << 10) == 0 ? $"{v >> 10} KiB" : $"{v} B";

    private static string LmemTitle(TileVram t) => t.Lmem is { } l
        ? $"the VF's LMEM on tile {t.Tile}: [0x0, {Hex(l)}), {Units.Bytes(l)} ({t.LmemSource})"
        : $"tile {t.Tile}: the LMEM size is unknown without a --target; the line ends where the last chunk ends";
}
