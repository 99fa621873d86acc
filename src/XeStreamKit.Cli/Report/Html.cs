using System.Globalization;
using System.Net;
using System.Text;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Format;

namespace XeStreamKit.Cli.Report;

/// <summary>
/// The pieces every page of <c>xsk</c> shares: escaping, invariant number formatting, the packet
/// type palette and the one style sheet. Pages are self-contained: inline CSS and SVG only, no
/// script, font, image or link that leaves the file, so they read offline and as attachments.
/// </summary>
internal static class Html
{
    /// <summary>Text escaped for an element or a double-quoted attribute.</summary>
    public static string Esc(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number with invariant formatting.</summary>
    public static string N(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>0x-prefixed upper-case hex.</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>0x-prefixed hex of a stream offset.</summary>
    public static string Hex(long value) => Hex((ulong)Math.Max(0, value));

    /// <summary>Fill colour of a packet type (colour-blind friendly: Okabe-Ito hues).</summary>
    public static string Colour(PacketType type) => type switch
    {
        PacketType.Descriptor => "#7b5ea7",
        PacketType.Trailer => "#5a5a5a",
        PacketType.Ggtt => "#e69f00",
        PacketType.Mmio => "#009e73",
        PacketType.Guc => "#0072b2",
        PacketType.Vram => "#56b4e9",
        _ => "#cc79a7",
    };

    /// <summary>The type's name as the tables print it.</summary>
    public static string TypeName(PacketType type) =>
        PacketTypeInfo.IsDefined(type) ? PacketTypeText.Id(type) : $"type {(byte)type}";

    /// <summary>Opens a page: doctype, title, the style sheet, the body.</summary>
    public static void Begin(StringBuilder h, string title, string extraCss = "")
    {
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        // No request may leave the file, even if someone adds a link later.
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        h.Append("<title>").Append(Esc(title)).Append("</title><style>").Append(Css).Append(extraCss).Append("</style></head><body>\n");
    }

    /// <summary>Closes the page.</summary>
    public static void End(StringBuilder h) => h.Append("</body></html>\n");

    private const string Css = """
        :root{--err:#c62828;--warn:#b26a00;--ok:#2e7d32;--ink:#1d1d1f;--mute:#5f6368;--line:#d9dce1;--bg:#fafbfc}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff;margin:0 auto;padding:18px 24px 40px;max-width:1240px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 6px;padding-top:6px;border-top:1px solid var(--line)}
        h3{font-size:14px;margin:14px 0 4px}
        p{margin:4px 0}.mute{color:var(--mute)}.small{font-size:12px}
        code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
        .badge{display:inline-block;padding:2px 9px;border-radius:10px;color:#fff;font-weight:600;font-size:13px;vertical-align:2px}
        .b-error{background:var(--err)}.b-warning{background:var(--warn)}.b-ok{background:var(--ok)}.b-info{background:#607d8b}
        .verdict{font-size:16px;margin:8px 0}
        .problems{background:#fff5f5;border:1px solid #f3c7c7;border-radius:6px;padding:8px 14px;margin:10px 0}
        .problems.ok{background:#f3faf3;border-color:#c8e6c9}
        .problems li{margin:2px 0}
        table{border-collapse:collapse;margin:6px 0;width:100%}
        th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
        th{background:var(--bg);font-weight:600;font-size:13px}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        tr:target{background:#fff3b0}
        tr.flag-error td:first-child{box-shadow:inset 4px 0 var(--err)}tr.flag-warning td:first-child{box-shadow:inset 4px 0 var(--warn)}
        .sw{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin-right:5px}
        pre.hex{margin:4px 0 0;padding:4px 6px;background:var(--bg);border:1px solid var(--line);border-radius:4px;white-space:pre;overflow-x:auto}
        pre.hex b{background:#ffd54f;color:#000}
        svg{display:block;max-width:100%;height:auto;margin:6px 0}
        svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        svg a:hover rect,svg a:focus rect{stroke:#000;stroke-width:2}
        .legend span{margin-right:14px;white-space:nowrap}
        .note{border-left:4px solid #90a4ae;background:var(--bg);padding:4px 10px;margin:6px 0}
        footer{margin-top:28px;border-top:1px solid var(--line);padding-top:8px}
        a{color:#0b57d0}
        """;
}
