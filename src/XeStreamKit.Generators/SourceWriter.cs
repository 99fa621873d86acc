using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace XeStreamKit.Generators;

/// <summary>Indented C# text with XML doc helpers.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public SourceWriter Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    /// <summary>Writes a summary from doc paragraphs, and doc-refs as remarks.</summary>
    public SourceWriter Doc(IEnumerable<string> doc, IEnumerable<string>? refs = null)
    {
        var lines = doc.SelectMany(d => d.Replace("\r", "").TrimEnd().Split('\n')).ToList();
        if (lines.Count > 0)
        {
            Line("/// <summary>");
            foreach (var l in lines) Line("/// " + Escape(l));
            Line("/// </summary>");
        }
        var r = refs?.ToList() ?? new List<string>();
        if (r.Count > 0)
        {
            Line("/// <remarks>");
            foreach (var x in r) Line("/// See " + Escape(x) + ".<br/>");
            Line("/// </remarks>");
        }
        return this;
    }

    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    public static string Pascal(string snake)
    {
        var sb = new StringBuilder();
        foreach (var part in snake.Split('_'))
        {
            if (part.Length == 0) continue;
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.Substring(1));
        }
        return sb.ToString();
    }

    public static string Camel(string snake)
    {
        var p = Pascal(snake);
        return p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p.Substring(1);
    }

    public override string ToString() => _sb.ToString();
}
