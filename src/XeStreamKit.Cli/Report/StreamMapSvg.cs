using System.Text;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using static XeStreamKit.Cli.Report.Html;

namespace XeStreamKit.Cli.Report;

/// <summary>
/// The stream map: the packets in stream order as one bar, one lane per tile/GT (descriptor and
/// trailer in a lane of their own), each packet a box whose width grows with the logarithm of its
/// bytes - so a 24-byte header stays visible next to a 512 MiB chunk - linked to its table row.
/// A long stream wraps into bands.
/// </summary>
internal static class StreamMapSvg
{
    private const int Width = 1180;
    private const int LabelWidth = 112;
    private const int LaneHeight = 26;
    private const int LaneGap = 4;
    private const int BandGap = 30;
    private const double MaxStretch = 3;

    /// <summary>Box width before stretching: 2 px plus 8 px per doubling above 8 bytes
    /// (24 B: 15 px, 4 KiB: 74 px, 1 MiB: 138 px, 512 MiB: 210 px).</summary>
    public static double RawWidth(long bytes) => 2 + 8 * Math.Max(0, Math.Log2(Math.Max(1, bytes)) - 3);

    public static void Write(StringBuilder h, StreamRecorder rec)
    {
        // Plain loops over arrays: this runs once per process, where LINQ over value tuples costs
        // more in JIT time than the whole pass over a seekable image.
        var rows = rec.Rows;
        var lanes = new List<int>();
        foreach (var r in rows)
            if (!lanes.Contains(LaneOf(r))) lanes.Add(LaneOf(r));
        lanes.Sort();
        if (lanes.Count == 0) lanes.Add(-1);
        var usable = Width - LabelWidth - 8;
        var raw = new double[rows.Count];
        var total = rec.PacketsNotDrawn > 0 ? RawWidth(rec.BytesNotDrawn) : 0;
        for (var i = 0; i < rows.Count; i++) total += raw[i] = RawWidth(rows[i].StreamEnd - rows[i].StreamOffset);
        var stretch = total > 0 && total < usable ? Math.Min(MaxStretch, usable / total) : 1;

        // Lay the boxes out left to right, wrapping into a new band when the width is used up.
        var bandOf = new int[rows.Count];
        var xOf = new double[rows.Count];
        var wOf = new double[rows.Count];
        int band = 0;
        double x = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var w = Math.Min(raw[i] * stretch, usable);
            if (x > 0 && x + w > usable)
            {
                band++;
                x = 0;
            }
            (bandOf[i], xOf[i], wOf[i]) = (band, x, w);
            x += w;
        }
        var bandHeight = lanes.Count * (LaneHeight + LaneGap) + BandGap;
        var height = (band + 1) * bandHeight + 6;
        h.Append($"<svg id=\"stream-map\" role=\"img\" aria-label=\"stream map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\">");
        h.Append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c62828\" stroke-width=\"3\"/></pattern></defs>");
        for (var b = 0; b <= band; b++)
        {
            var top = b * bandHeight;
            for (var l = 0; l < lanes.Count; l++)
            {
                var y = top + l * (LaneHeight + LaneGap);
                h.Append($"<text x=\"0\" y=\"{y + 17}\" font-size=\"12\" fill=\"#5f6368\">{Esc(LaneName(lanes[l]))}</text>");
                h.Append($"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{usable}\" height=\"{LaneHeight}\" fill=\"#f1f3f4\"/>");
            }
            var first = Array.IndexOf(bandOf, b);
            var last = Array.LastIndexOf(bandOf, b);
            if (first >= 0)
            {
                var axisY = top + lanes.Count * (LaneHeight + LaneGap) + 12;
                h.Append($"<text x=\"{LabelWidth}\" y=\"{axisY}\" font-size=\"11\" fill=\"#5f6368\">stream offset {Hex(rows[first].StreamOffset)}</text>");
                h.Append($"<text x=\"{LabelWidth + usable / 2}\" y=\"{axisY}\" font-size=\"11\" fill=\"#5f6368\" text-anchor=\"middle\">stream order &#8594;</text>");
                h.Append($"<text x=\"{LabelWidth + usable}\" y=\"{axisY}\" font-size=\"11\" fill=\"#5f6368\" text-anchor=\"end\">{Hex(rows[last].StreamEnd)}</text>");
            }
        }
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var (b, px, w) = (bandOf[i], xOf[i], wOf[i]);
            var lane = lanes.IndexOf(LaneOf(r));
            var y = b * bandHeight + lane * (LaneHeight + LaneGap);
            var x0 = LabelWidth + px;
            var stroke = r.Worst switch
            {
                Severity.Error => " stroke=\"#c62828\" stroke-width=\"3\"",
                Severity.Warning => " stroke=\"#b26a00\" stroke-width=\"3\"",
                _ => " stroke=\"#fff\" stroke-width=\"1\"",
            };
            h.Append($"<a href=\"#{r.Anchor}\" class=\"pkt\" data-type=\"{Esc(TypeName(r.Header.Type))}\">");
            h.Append($"<rect x=\"{N(x0 + 0.5)}\" y=\"{y + 1}\" width=\"{N(Math.Max(2, w - 1))}\" height=\"{LaneHeight - 2}\" fill=\"{(r.Truncated ? "url(#hatch)" : Colour(r.Header.Type))}\"{stroke}>");
            h.Append("<title>").Append(Esc(Describe(r))).Append("</title></rect>");
            var label = w >= 90 ? LongLabel(r) : w >= 34 ? ShortLabel(r) : null;
            if (label is not null)
                h.Append($"<text x=\"{N(x0 + 5)}\" y=\"{y + 17}\" font-size=\"11\" fill=\"{(r.Truncated || r.Header.Type is PacketType.Vram or PacketType.Ggtt ? "#000" : "#fff")}\" pointer-events=\"none\">{Esc(label)}</text>");
            if (r.Worst is { } sev and not Severity.Info)
            {
                var cx = x0 + Math.Max(6, w / 2);
                h.Append($"<circle cx=\"{N(cx)}\" cy=\"{y}\" r=\"7\" fill=\"{(sev == Severity.Error ? "#c62828" : "#b26a00")}\" pointer-events=\"none\"/>");
                h.Append($"<text x=\"{N(cx)}\" y=\"{y + 4}\" font-size=\"11\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\" pointer-events=\"none\">!</text>");
            }
            h.Append("</a>");
        }
        h.Append("</svg>");
    }

    /// <summary>The map's legend: the colours, and boxes drawn at the map's scale for a few sizes.</summary>
    public static void Legend(StringBuilder h)
    {
        h.Append("<p class=\"legend small\">");
        foreach (var t in new[] { PacketType.Descriptor, PacketType.Guc, PacketType.Ggtt, PacketType.Mmio, PacketType.Vram, PacketType.Trailer })
            h.Append($"<span><i class=\"sw\" style=\"background:{Colour(t)}\"></i>{Esc(TypeName(t))}</span>");
        h.Append($"<span><i class=\"sw\" style=\"background:{Colour((PacketType)99)}\"></i>unknown type</span>");
        h.Append("<span><i class=\"sw\" style=\"border:2px solid #c62828\"></i>breaks a rule (!)</span>");
        h.Append("<span><i class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#c62828 0 2px,#fff 2px 5px)\"></i>cut off by the end of the stream</span>");
        h.Append("</p><p class=\"small mute\">Box width grows with the logarithm of the packet's bytes (header and payload), so small packets stay visible: ");
        h.Append(string.Join(", ", new (string, long)[] { ("24 B", 24), ("4 KiB", 4096), ("1 MiB", 1 << 20), ("512 MiB", 512L << 20) }
            .Select(s => $"{s.Item1} = {N(RawWidth(s.Item2), "0")} units")));
        h.Append(" (stretched together to fill the width). Hover a box for its details; click it for its row.</p>");
    }

    private static int LaneOf(PacketRow r) =>
        r.Header.Type is PacketType.Descriptor or PacketType.Trailer ? -1 : r.Header.TileId * 256 + r.Header.GtId;

    private static string LaneName(int lane) => lane < 0 ? "descriptor, trailer" : $"tile {lane / 256} · GT {lane % 256}";

    private static string ShortLabel(PacketRow r) => r.Header.Type switch
    {
        PacketType.Descriptor => "desc",
        PacketType.Trailer => "trl",
        _ => TypeName(r.Header.Type),
    };

    private static string LongLabel(PacketRow r) => r.Header.Type == PacketType.Vram
        ? $"VRAM {Units.Bytes(r.PayloadBytes)}{(r.IsRun ? $" ({r.Count} chunks)" : "")}"
        : $"{TypeName(r.Header.Type)} {Units.Bytes(r.PayloadBytes)}";

    /// <summary>The hover text of a row's box.</summary>
    public static string Describe(PacketRow r)
    {
        var which = r.IsRun ? $"packets #{r.FirstIndex}-#{r.LastIndex} ({r.Count} VRAM chunks{(r.Uniform ? $" of {Units.Bytes(r.ChunkBytes)}" : "")})" : $"packet #{r.FirstIndex}";
        var what = r.Header.Type == PacketType.Vram
            ? $"LMEM [{Hex(r.LmemStart)}, {Hex(r.LmemEnd)}), {Units.Bytes(r.PayloadBytes)}"
            : $"{Units.Bytes(r.PayloadBytes)} payload";
        var problem = r.Worst switch { Severity.Error => "; breaks a rule (error)", Severity.Warning => "; warning", _ => "" };
        var cut = r.Truncated ? "; the stream ends inside it" : "";
        return $"{which}: {TypeName(r.Header.Type)}, tile {r.Header.TileId} GT {r.Header.GtId}, at stream offset {Hex(r.StreamOffset)}, {what}{problem}{cut}";
    }
}
