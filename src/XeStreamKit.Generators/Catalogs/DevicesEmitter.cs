using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators.Catalogs;

/// <summary>spec/devices.yaml -> XeStreamKit.Catalog.DeviceCatalog: platforms, the device
/// ids xe-vfio-pci binds, GT topology, LMEM, VF defaults and migration prerequisites.</summary>
internal static class DevicesEmitter
{
    private const string Hint = " (see the header of spec/devices.yaml)";

    private sealed class Gt
    {
        public int Id;
        public int Tile;
        public string Kind = "";
    }

    private sealed class Platform
    {
        public string Id = "";
        public string Name = "";
        public bool Discrete;
        public bool Lmem;
        public bool MemoryIrq;
        public long DefaultDevid;
        public List<long> Devids = new();
        public List<Gt> Gts = new();
        public ulong Ggtt;
        public ulong LmemSize;
        public ulong GucState;
        public long Revid;
    }

    public static string? Emit(string text, SpecReport report)
    {
        var root = SpecYaml.Load(text, report);
        var map = YamlMap.From(root, "", report);
        if (map is null) return null;
        map.RejectUnknownKeys(Hint, "migration", "platforms");

        int[] guc = { 0, 0, 0 };
        var memoryIrq = false;
        var migrationDoc = "";
        if (YamlMap.From(map.Get("migration"), "migration", report) is { } mig)
        {
            mig.RejectUnknownKeys(Hint, "guc_min", "memory_irq", "doc");
            var version = mig.String("guc_min", required: true) ?? "";
            var parts = version.Split('.');
            if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                report.Add(SpecDiagnostics.UnsupportedValue, mig.Get("guc_min"), "migration/guc_min", $"'{version}' is not major.minor.patch");
            else guc = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            memoryIrq = Bool(mig, "memory_irq", report);
            migrationDoc = mig.String("doc") ?? "";
        }
        else report.Add(SpecDiagnostics.Missing, root, "(root)", "migration");

        var platforms = new List<Platform>();
        if (map.Get("platforms") is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (YamlMap.From(seq.Children[i], "platforms/" + i, report) is { } p)
                    platforms.Add(ParsePlatform(p, report));
            }
        }
        else report.Add(SpecDiagnostics.Missing, root, "(root)", "platforms");

        foreach (var dup in platforms.SelectMany(p => p.Devids.Select(d => (p.Id, d))).GroupBy(x => x.d).Where(g => g.Count() > 1))
            report.Add(SpecDiagnostics.UnsupportedValue, root, "platforms", $"device id 0x{dup.Key:X4} is listed {dup.Count()} times");
        if (report.HasErrors) return null;
        return Write(platforms, guc, memoryIrq, migrationDoc, report.File);
    }

    private static bool Bool(YamlMap m, string key, SpecReport report)
    {
        var v = m.String(key, required: true);
        if (v is "true" or "false") return v == "true";
        if (v is not null) report.Add(SpecDiagnostics.UnsupportedValue, m.Get(key), m.Child(key), $"'{v}' is not true or false");
        return false;
    }

    private static long Integer(YamlMap m, string key, SpecReport report, YamlNode? node = null)
    {
        var text = node is YamlScalarNode s ? s.Value : m.String(key, required: true);
        if (YamlMap.TryParseInteger(text, out var v) && v >= 0) return v;
        if (text is not null) report.Add(SpecDiagnostics.UnsupportedValue, node ?? m.Get(key), m.Child(key), $"'{text}' is not a non-negative integer");
        return 0;
    }

    private static ulong Size(YamlMap m, string key, SpecReport report)
    {
        var text = m.String(key, required: true) ?? "0";
        var match = Regex.Match(text, "^([0-9]+)(KiB|MiB|GiB|TiB)?$");
        if (!match.Success)
        {
            report.Add(SpecDiagnostics.UnsupportedValue, m.Get(key), m.Child(key), $"'{text}' is not a size (e.g. 512MiB, 0)");
            return 0;
        }
        var shift = match.Groups[2].Value switch { "KiB" => 10, "MiB" => 20, "GiB" => 30, "TiB" => 40, _ => 0 };
        return ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) << shift;
    }

    private static Platform ParsePlatform(YamlMap p, SpecReport report)
    {
        p.RejectUnknownKeys(Hint, "id", "name", "discrete", "lmem", "memory_irq", "default_devid", "devids", "tiles", "vf_defaults");
        var platform = new Platform
        {
            Id = p.String("id", required: true) ?? "",
            Name = p.String("name", required: true) ?? "",
            Discrete = Bool(p, "discrete", report),
            Lmem = Bool(p, "lmem", report),
            MemoryIrq = Bool(p, "memory_irq", report),
            DefaultDevid = Integer(p, "default_devid", report),
        };
        if (p.Get("devids") is YamlSequenceNode ids)
            foreach (var n in ids.Children) platform.Devids.Add(Integer(p, "devids", report, n));
        else report.Add(SpecDiagnostics.Missing, p.Node, p.Path, "devids");
        if (!platform.Devids.Contains(platform.DefaultDevid))
            report.Add(SpecDiagnostics.BadReference, p.Get("default_devid"), p.Child("default_devid"), "default_devid is not in devids");

        if (p.Get("tiles") is YamlSequenceNode tiles)
        {
            for (var t = 0; t < tiles.Children.Count; t++)
            {
                var tile = YamlMap.From(tiles.Children[t], p.Child("tiles") + "/" + t, report);
                if (tile is null) continue;
                tile.RejectUnknownKeys(Hint, "id", "gts");
                var tileId = (int)Integer(tile, "id", report);
                if (tile.Get("gts") is not YamlSequenceNode gts)
                {
                    report.Add(SpecDiagnostics.Missing, tile.Node, tile.Path, "gts");
                    continue;
                }
                for (var g = 0; g < gts.Children.Count; g++)
                {
                    var gt = YamlMap.From(gts.Children[g], tile.Child("gts") + "/" + g, report);
                    if (gt is null) continue;
                    gt.RejectUnknownKeys(Hint, "id", "kind");
                    var kind = gt.String("kind", required: true) ?? "";
                    if (kind is not ("main" or "media"))
                        report.Add(SpecDiagnostics.UnsupportedValue, gt.Get("kind"), gt.Child("kind"), $"kind '{kind}' is not main or media");
                    platform.Gts.Add(new Gt { Id = (int)Integer(gt, "id", report), Tile = tileId, Kind = kind });
                }
            }
        }
        else report.Add(SpecDiagnostics.Missing, p.Node, p.Path, "tiles");
        for (var i = 0; i < platform.Gts.Count; i++)
            if (platform.Gts[i].Id != i)
                report.Add(SpecDiagnostics.UnsupportedValue, p.Get("tiles"), p.Child("tiles"), "GT ids must be 0, 1, ... in tile order (xe_pci.c numbers them so)");

        if (YamlMap.From(p.Get("vf_defaults"), p.Child("vf_defaults"), report) is { } d)
        {
            d.RejectUnknownKeys(Hint, "ggtt", "lmem", "guc_state", "revid");
            platform.Ggtt = Size(d, "ggtt", report);
            platform.LmemSize = Size(d, "lmem", report);
            platform.GucState = Size(d, "guc_state", report);
            platform.Revid = Integer(d, "revid", report);
            if (platform.LmemSize > 0 && !platform.Lmem)
                report.Add(SpecDiagnostics.UnsupportedValue, d.Get("lmem"), d.Child("lmem"), "a platform without lmem cannot default to LMEM");
        }
        else report.Add(SpecDiagnostics.Missing, p.Node, p.Path, "vf_defaults");
        return platform;
    }

    private static string Write(List<Platform> platforms, int[] guc, bool memoryIrq, string migrationDoc, string file)
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated>")
         .Line($"// Generated by XeStreamKit.Generators from {Path.GetFileName(file)}. Do not edit: edit the catalog.")
         .Line("// </auto-generated>")
         .Line("#nullable enable")
         .Line("using System.Collections.Generic;")
         .Line()
         .Line("namespace XeStreamKit.Catalog;")
         .Line();
        w.Line("/// <summary>A GT's role: the primary GT of its tile, or the standalone media GT.</summary>");
        w.Open("public enum GtKind");
        w.Line("/// <summary>Primary GT: holds the VF's GGTT and, on discrete parts, its LMEM.</summary>").Line("Main,");
        w.Line("/// <summary>Media GT: GuC and MMIO state only.</summary>").Line("Media,");
        w.Close().Line();
        w.Line("/// <summary>One GT of a device.</summary>");
        w.Line("public sealed record GtLayout(byte Id, byte TileId, GtKind Kind);").Line();
        w.Line("/// <summary>What an unqualified target or emulated device of a platform is provisioned with.</summary>");
        w.Line("public sealed record VfDefaults(ulong GgttBytes, ulong LmemBytes, ulong GucStateBytes, uint RevisionId);").Line();
        w.Line("/// <summary>A platform whose VFs xe-vfio-pci migrates.</summary>");
        w.Line("public sealed record PlatformInfo(string Id, string Name, bool Discrete, bool HasLmem, bool MemoryIrq, uint DefaultDeviceId, IReadOnlyList<uint> DeviceIds, IReadOnlyList<GtLayout> Gts, VfDefaults Defaults);").Line();

        w.Line("/// <summary>The platforms of spec/devices.yaml and the migration prerequisites.</summary>");
        w.Open("public static partial class DeviceCatalog");
        w.Doc(new[] { migrationDoc });
        w.Line($"public static (int Major, int Minor, int Patch) MinimumGuc {{ get; }} = ({guc[0]}, {guc[1]}, {guc[2]});");
        w.Line("/// <summary>True when migration needs memory-based IRQ support.</summary>");
        w.Line($"public const bool MigrationNeedsMemoryIrq = {(memoryIrq ? "true" : "false")};");
        foreach (var p in platforms)
        {
            var gts = string.Join(", ", p.Gts.Select(g => $"new GtLayout({g.Id}, {g.Tile}, GtKind.{(g.Kind == "main" ? "Main" : "Media")})"));
            var ids = string.Join(", ", p.Devids.Select(d => $"0x{d:X4}u"));
            w.Line($"/// <summary>{SourceWriter.Escape(p.Name)} (<c>{p.Id}</c>).</summary>");
            w.Line($"public static PlatformInfo {SourceWriter.Pascal(p.Id)} {{ get; }} = new({SourceWriter.Literal(p.Id)}, {SourceWriter.Literal(p.Name)}, {Lower(p.Discrete)}, {Lower(p.Lmem)}, {Lower(p.MemoryIrq)}, 0x{p.DefaultDevid:X4}u, new uint[] {{ {ids} }}, new GtLayout[] {{ {gts} }}, new VfDefaults({p.Ggtt}UL, {p.LmemSize}UL, {p.GucState}UL, {p.Revid}u));");
        }
        w.Line("/// <summary>Every platform, in spec order.</summary>");
        w.Line($"public static IReadOnlyList<PlatformInfo> Platforms {{ get; }} = new[] {{ {string.Join(", ", platforms.Select(p => SourceWriter.Pascal(p.Id)))} }};");
        w.Line("/// <summary>The platform with spec id <paramref name=\"id\"/> (bmg, ptl, wcl), or null.</summary>");
        w.Open("public static PlatformInfo? FindPlatform(string id) => id switch");
        foreach (var p in platforms) w.Line($"{SourceWriter.Literal(p.Id)} => {SourceWriter.Pascal(p.Id)},");
        w.Line("_ => null,");
        w.Close(";");
        w.Line("/// <summary>The platform whose device ids include <paramref name=\"deviceId\"/>, or null.</summary>");
        w.Open("public static PlatformInfo? PlatformOfDevice(uint deviceId) => deviceId switch");
        foreach (var p in platforms) w.Line($"{string.Join(" or ", p.Devids.Select(d => $"0x{d:X4}u"))} => {SourceWriter.Pascal(p.Id)},");
        w.Line("_ => null,");
        w.Close(";");
        w.Close();
        return w.ToString();
    }

    private static string Lower(bool b) => b ? "true" : "false";
}
