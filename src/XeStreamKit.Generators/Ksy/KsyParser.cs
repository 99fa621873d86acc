using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators.Ksy;

/// <summary>
/// Reads a .ksy into <see cref="KsySpec"/>. Strict: any key, value or construct outside the
/// supported subset is an error naming its path (e.g. <c>types/packet/seq/1/process</c>).
/// </summary>
internal static class KsyParser
{
    private const string Hint = " (supported: a subset of Kaitai Struct 0.11; see spec/README.md)";
    private static readonly Regex Identifier = new("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex BitsOrFloatOrExplicitEndian = new("^(b[0-9]+|f[48])(le|be)?$|^[us][1248](le|be)$", RegexOptions.CultureInvariant);

    public static KsySpec? Parse(string text, SpecReport report)
    {
        if (SpecYaml.Load(text, report) is not { } root) return null;

        var map = YamlMap.From(root, "", report);
        if (map is null) return null;
        map.RejectUnknownKeys(Hint, "meta", "doc", "doc-ref", "seq", "types", "enums");

        var spec = new KsySpec { Node = root, Doc = map.Strings("doc"), DocRef = map.Strings("doc-ref") };
        ParseMeta(YamlMap.From(map.Get("meta"), "meta", report), spec, report);
        if (map.Get("meta") is null) report.Add(SpecDiagnostics.Missing, root, "(root)", "meta");

        spec.Seq = ParseSeq(map, "seq", report);
        if (YamlMap.From(map.Get("types"), "types", report) is { } types)
        {
            foreach (var entry in types.Entries)
            {
                var path = types.Child(entry.Key);
                CheckIdentifier(entry.Key, entry.Value, path, report);
                var tmap = YamlMap.From(entry.Value, path, report);
                if (tmap is null) continue;
                tmap.RejectUnknownKeys(Hint, "doc", "doc-ref", "seq");
                spec.Types.Add(new KsyType
                {
                    Id = entry.Key,
                    Path = path,
                    Node = entry.Value,
                    Doc = tmap.Strings("doc"),
                    DocRef = tmap.Strings("doc-ref"),
                    Seq = ParseSeq(tmap, "seq", report),
                });
            }
        }
        if (YamlMap.From(map.Get("enums"), "enums", report) is { } enums)
        {
            foreach (var entry in enums.Entries)
                spec.Enums.Add(ParseEnum(entry.Key, entry.Value, enums.Child(entry.Key), report));
        }
        return spec;
    }

    private static void ParseMeta(YamlMap? meta, KsySpec spec, SpecReport report)
    {
        if (meta is null) return;
        meta.RejectUnknownKeys(Hint, "id", "title", "application", "file-extension", "xref", "license", "ks-version", "endian");
        spec.Id = meta.String("id", required: true) ?? "";
        if (spec.Id.Length > 0) CheckIdentifier(spec.Id, meta.Get("id"), meta.Child("id"), report);
        spec.Title = meta.String("title");
        var endian = meta.String("endian", required: true);
        if (endian is "le" or "be") spec.BigEndian = endian == "be";
        else if (endian is not null)
            report.Add(SpecDiagnostics.UnsupportedValue, meta.Get("endian"), meta.Child("endian"),
                $"endian '{endian}' is not supported (use le or be; switchable endianness is not supported)");
    }

    private static List<KsyField> ParseSeq(YamlMap owner, string key, SpecReport report)
    {
        var fields = new List<KsyField>();
        var node = owner.Get(key);
        if (node is null) return fields;
        if (node is not YamlSequenceNode seq)
        {
            report.Add(SpecDiagnostics.UnsupportedValue, node, owner.Child(key), "expected a list of fields");
            return fields;
        }
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = owner.Child(key) + "/" + i;
            var fmap = YamlMap.From(seq.Children[i], path, report);
            if (fmap is null) continue;
            fmap.RejectUnknownKeys(Hint, "id", "type", "enum", "size", "repeat", "valid", "doc", "doc-ref");
            var field = new KsyField
            {
                Path = path,
                Node = seq.Children[i],
                Id = fmap.String("id", required: true) ?? "",
                Enum = fmap.String("enum"),
                Doc = fmap.Strings("doc"),
                DocRef = fmap.Strings("doc-ref"),
            };
            if (field.Id.Length > 0) CheckIdentifier(field.Id, fmap.Get("id"), fmap.Child("id"), report);

            switch (fmap.Get("type"))
            {
                case null:
                    break;
                case YamlScalarNode s:
                    field.Type = s.Value;
                    if (field.Type is null || (KsyPrimitive.Width(field.Type) == 0 && !Identifier.IsMatch(field.Type))
                        || field.Type is "str" or "strz" || BitsOrFloatOrExplicitEndian.IsMatch(field.Type))
                        report.Add(SpecDiagnostics.UnsupportedValue, s, fmap.Child("type"),
                            $"type '{field.Type}' is not supported (integers u1..u8/s1..s8 with the spec's endianness, user types, or raw bytes)");
                    break;
                case YamlMappingNode m:
                    field.Switch = ParseSwitch(YamlMap.From(m, fmap.Child("type"), report)!, report);
                    break;
                default:
                    report.Add(SpecDiagnostics.UnsupportedValue, fmap.Get("type"), fmap.Child("type"), "expected a type name or switch-on");
                    break;
            }

            ParseValid(fmap, field, report);
            field.SizeNode = fmap.Get("size");
            field.Size = fmap.String("size");
            var repeat = fmap.String("repeat");
            if (repeat == "eos") field.RepeatEos = true;
            else if (repeat is not null)
                report.Add(SpecDiagnostics.UnsupportedValue, fmap.Get("repeat"), fmap.Child("repeat"),
                    $"repeat '{repeat}' is not supported (only repeat: eos)");

            if (field.Type is null && field.Switch is null && field.Size is null)
                report.Add(SpecDiagnostics.UnsupportedValue, seq.Children[i], path, "a field needs a type or a size");
            if (field.Enum is not null && KsyPrimitive.Width(field.Type) == 0)
                report.Add(SpecDiagnostics.UnsupportedValue, fmap.Get("enum"), fmap.Child("enum"), "enum is only supported on integer fields");
            fields.Add(field);
        }
        return fields;
    }

    private static void ParseValid(YamlMap fmap, KsyField field, SpecReport report)
    {
        var node = fmap.Get("valid");
        if (node is null) return;
        string? text = null;
        if (node is YamlScalarNode s) text = s.Value;
        else if (YamlMap.From(node, fmap.Child("valid"), report) is { } vmap)
        {
            vmap.RejectUnknownKeys(" (only valid: N or valid: {eq: N} is supported)", "eq");
            text = vmap.String("eq", required: true);
        }
        if (text is not null && YamlMap.TryParseInteger(text, out var value) && KsyPrimitive.Width(field.Type) > 0 && field.Enum is null)
        {
            field.ValidEq = value;
            field.ValidHex = text.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase);
        }
        else if (text is not null)
            report.Add(SpecDiagnostics.UnsupportedValue, node, fmap.Child("valid"), "valid is supported only as an integer equality on a plain integer field");
    }

    private static KsySwitch ParseSwitch(YamlMap map, SpecReport report)
    {
        map.RejectUnknownKeys(Hint, "switch-on", "cases");
        var sw = new KsySwitch { Node = map.Node, On = map.String("switch-on", required: true) ?? "" };
        if (YamlMap.From(map.Get("cases"), map.Child("cases"), report) is { } cases)
        {
            foreach (var c in cases.Entries)
            {
                if (c.Value is YamlScalarNode target && target.Value is { Length: > 0 } type)
                    sw.Cases.Add(new KeyValuePair<string, string>(c.Key, type));
                else
                    report.Add(SpecDiagnostics.UnsupportedValue, c.Value, cases.Child(c.Key), "a case must name a user type");
            }
        }
        else
            report.Add(SpecDiagnostics.Missing, map.Node, map.Path, "cases");
        return sw;
    }

    private static KsyEnum ParseEnum(string id, YamlNode node, string path, SpecReport report)
    {
        var result = new KsyEnum { Id = id, Path = path, Node = node };
        CheckIdentifier(id, node, path, report);
        var map = YamlMap.From(node, path, report);
        if (map is null) return result;
        foreach (var kv in map.Node.Children)
        {
            var keyText = YamlMap.KeyText(kv.Key);
            var vpath = map.Child(keyText);
            if (!YamlMap.TryParseInteger(keyText, out var value))
            {
                report.Add(SpecDiagnostics.UnsupportedValue, kv.Key, vpath, $"enum key '{keyText}' is not an integer");
                continue;
            }
            var entry = new KsyEnumValue { Value = value, Hex = keyText.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase) };
            if (kv.Value is YamlScalarNode s)
                entry.Id = s.Value ?? "";
            else if (YamlMap.From(kv.Value, vpath, report) is { } verbose)
            {
                verbose.RejectUnknownKeys(Hint, "id", "doc", "doc-ref");
                entry.Id = verbose.String("id", required: true) ?? "";
                entry.Doc = verbose.Strings("doc").Concat(verbose.Strings("doc-ref").Select(r => "See " + r)).ToList();
            }
            CheckIdentifier(entry.Id, kv.Value, vpath, report);
            result.Values.Add(entry);
        }
        return result;
    }

    private static void CheckIdentifier(string id, YamlNode? node, string path, SpecReport report)
    {
        if (!Identifier.IsMatch(id))
            report.Add(SpecDiagnostics.UnsupportedValue, node, path, $"'{id}' is not a Kaitai identifier (lower_snake_case)");
    }

    /// <summary>All user type ids referenced by a field (its type or switch cases).</summary>
    public static IEnumerable<string> ReferencedTypes(KsyField field)
    {
        if (field.Type is not null && KsyPrimitive.Width(field.Type) == 0) yield return field.Type;
        if (field.Switch is not null)
            foreach (var c in field.Switch.Cases) yield return c.Value;
    }
}
