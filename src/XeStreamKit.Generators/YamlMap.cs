using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators;

/// <summary>
/// Strict access to a YAML mapping: every key must be one the caller asked for, otherwise it is
/// reported (XSK001) with its path, so an unsupported construct is never silently ignored.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly SpecReport _report;

    private YamlMap(YamlMappingNode node, string path, SpecReport report)
    {
        _node = node;
        Path = path;
        _report = report;
    }

    public string Path { get; }
    public YamlMappingNode Node => _node;

    public static YamlMap? From(YamlNode? node, string path, SpecReport report)
    {
        if (node is YamlMappingNode map) return new YamlMap(map, path, report);
        if (node is not null)
            report.Add(SpecDiagnostics.UnsupportedValue, node, path, "expected a mapping");
        return null;
    }

    /// <summary>Keys in document order.</summary>
    public IEnumerable<KeyValuePair<string, YamlNode>> Entries =>
        _node.Children.Select(kv => new KeyValuePair<string, YamlNode>(KeyText(kv.Key), kv.Value));

    public YamlNode? Get(string key) =>
        _node.Children.FirstOrDefault(kv => KeyText(kv.Key) == key).Value;

    public string Child(string key) => Path.Length == 0 ? key : Path + "/" + key;

    /// <summary>Reports every key that is not in <paramref name="allowed"/>.</summary>
    public void RejectUnknownKeys(string hint, params string[] allowed)
    {
        foreach (var kv in _node.Children)
        {
            var key = KeyText(kv.Key);
            if (!allowed.Contains(key))
                _report.Add(SpecDiagnostics.UnsupportedKey, kv.Key, Child(key), key, hint);
        }
    }

    public string? String(string key, bool required = false)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required) _report.Add(SpecDiagnostics.Missing, _node, Path.Length == 0 ? "(root)" : Path, key);
            return null;
        }
        if (node is YamlScalarNode s) return s.Value;
        _report.Add(SpecDiagnostics.UnsupportedValue, node, Child(key), "expected a scalar");
        return null;
    }

    /// <summary>A doc string, or a list of strings (doc-ref may be either).</summary>
    public IReadOnlyList<string> Strings(string key)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                return new string[0];
            case YamlScalarNode s:
                return new[] { s.Value ?? "" };
            case YamlSequenceNode seq:
                var list = new List<string>();
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode si) list.Add(si.Value ?? "");
                    else _report.Add(SpecDiagnostics.UnsupportedValue, item, Child(key), "expected a string");
                }
                return list;
            default:
                _report.Add(SpecDiagnostics.UnsupportedValue, node, Child(key), "expected a string or a list of strings");
                return new string[0];
        }
    }

    public static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? "" : key.ToString();

    /// <summary>Parses a YAML integer as Kaitai writes them: decimal, 0x hex, 0b binary, with optional underscores.</summary>
    public static bool TryParseInteger(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text)) return false;
        var t = text!.Replace("_", "");
        var negative = t.StartsWith("-", System.StringComparison.Ordinal);
        if (negative) t = t.Substring(1);
        bool ok;
        if (t.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase))
            ok = long.TryParse(t.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        else if (t.StartsWith("0b", System.StringComparison.OrdinalIgnoreCase))
        {
            ok = t.Length > 2;
            foreach (var c in t.Substring(2))
            {
                if (c != '0' && c != '1') { ok = false; break; }
                value = value * 2 + (c - '0');
            }
        }
        else
            ok = long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (negative) value = -value;
        return ok;
    }
}
