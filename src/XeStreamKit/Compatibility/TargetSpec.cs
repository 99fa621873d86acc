using System.Globalization;
using System.Text.Json;
using XeStreamKit.Catalog;
using XeStreamKit.Text;

namespace XeStreamKit.Compatibility;

/// <summary>
/// Parses what users write for a restore target (and an emulated device):
/// <list type="bullet">
/// <item><c>bmg[,devid=0xE20B][,revid=0][,lmem=4GiB][,ggtt=512MiB][,guc=70.54.0][,driver=6.19|newest][,memirq=true][,vf=1][,hostmem=64GiB]</c>;</item>
/// <item><c>@host.json</c>: the same keys as a JSON object with a <c>platform</c> member;</item>
/// <item><c>host:&lt;PF BDF&gt;</c>: read from a real host's sysfs and xe debugfs (the VF from <c>vf=</c> or the caller).</item>
/// </list>
/// <c>@file</c> and <c>host:</c> are read by the caller's <see cref="ITargetSource"/>: the core does no I/O.
/// Every problem is a <see cref="SpecTextException"/> with one line naming it.
/// </summary>
public static class TargetSpec
{
    /// <summary>The keys every target spec accepts.</summary>
    public static readonly IReadOnlyList<string> Keys = ["devid", "revid", "lmem", "ggtt", "guc", "driver", "memirq", "vf", "hostmem"];

    /// <summary>A parsed spec: the target, plus values of caller-specific extra keys (e.g. <c>seed</c>).</summary>
    public sealed record Parsed(TargetProfile Target, IReadOnlyDictionary<string, string> Extras);

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The spec.</param>
    /// <param name="what">What the spec is for, in messages (a caller such as the CLI names its option here).</param>
    /// <param name="extraKeys">Additional keys the caller understands; returned in <see cref="Parsed.Extras"/>.</param>
    /// <param name="source">Reads <c>@file</c> and <c>host:</c> targets; without one they are errors (the core reads no files).</param>
    /// <param name="vf">VF number for <c>host:</c> targets when the spec has no <c>vf=</c>.</param>
    /// <param name="vfOption">How the caller lets a user give <paramref name="vf"/> (e.g. an option name),
    /// named beside <c>vf=</c> when a <c>host:</c> target has no VF number.</param>
    public static Parsed Parse(string text, string what = "target", IReadOnlyCollection<string>? extraKeys = null, ITargetSource? source = null, uint? vf = null, string? vfOption = null)
    {
        extraKeys ??= [];
        text = text.Trim();
        if (text.Length == 0) throw new SpecTextException($"{what}: empty (examples: bmg, ptl,lmem=0, bmg,devid=0xE211,lmem=4GiB, @host.json, host:0000:03:00.0)");
        if (text.StartsWith('@')) return FromFile(text[1..], what, extraKeys, source);

        var parts = text.Split(',');
        var head = parts[0].Trim();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new SpecTextException($"{what}: '{part}' is not key=value");
            var key = part[..eq].Trim();
            if (!Keys.Contains(key) && !extraKeys.Contains(key))
                throw new SpecTextException($"{what}: unknown key '{key}' (known: {string.Join(", ", Keys.Concat(extraKeys))})");
            if (!values.TryAdd(key, part[(eq + 1)..].Trim())) throw new SpecTextException($"{what}: '{key}' is given twice");
        }

        if (head.StartsWith("host:", StringComparison.Ordinal))
        {
            var vfNumber = values.TryGetValue("vf", out var v) ? ParseVf(v, what) : vf
                ?? throw new SpecTextException($"{what}: {head} needs a VF number (vf=<n>{(vfOption is null ? "" : $" or {vfOption} <n>")})");
            var bdf = head["host:".Length..];
            if (source is null) throw new SpecTextException($"{what}: {head} is read from a host, and no target source reads hosts here");
            var read = source.ReadHost(bdf, vfNumber, what);
            return Apply(read, values, what, extraKeys);
        }

        var platform = DeviceCatalog.FindPlatform(head)
            ?? throw new SpecTextException($"{what}: unknown platform '{head}' (known: {string.Join(", ", DeviceCatalog.Platforms.Select(p => p.Id))})");
        return Apply(TargetProfile.For(platform), values, what, extraKeys);
    }

    private static Parsed Apply(TargetProfile target, Dictionary<string, string> values, string what, IReadOnlyCollection<string> extraKeys)
    {
        var platform = target.Platform;
        foreach (var (key, value) in values)
        {
            target = key switch
            {
                "devid" => target with { DeviceId = SpecText.ParseId(value, $"{what} devid", 0xFFFF) },
                "revid" => target with { RevisionId = SpecText.ParseId(value, $"{what} revid", 0xFF) },
                "lmem" => target with { LmemBytes = SpecText.ParseSize(value, $"{what} lmem") },
                "ggtt" => target with { GgttBytes = SpecText.ParseSize(value, $"{what} ggtt") },
                "hostmem" => target with { HostMemoryBytes = SpecText.ParseSize(value, $"{what} hostmem") },
                "guc" => target with { Guc = ParseGuc(value, what) },
                "driver" => target with { Driver = ParseDriver(value, what) },
                "memirq" => target with { MemoryIrq = ParseBool(value, $"{what} memirq") },
                "vf" => target with { VfId = ParseVf(value, what) },
                _ => target,
            };
        }
        if (platform is not null && values.ContainsKey("devid") && !platform.DeviceIds.Contains(target.DeviceId))
            throw new SpecTextException($"{what}: devid 0x{target.DeviceId:X4} is not a {platform.Id} device id ({string.Join(", ", platform.DeviceIds.Select(d => $"0x{d:X4}"))})");
        if (!target.HasLmem && target.LmemBytes is > 0)
            throw new SpecTextException($"{what}: {platform?.Id ?? "the device"} has no local memory; lmem must be 0");
        if (target.GgttBytes is { } g && g % 4096 != 0)
            throw new SpecTextException($"{what}: ggtt must be a multiple of 4096 bytes");
        var extras = values.Where(kv => extraKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new Parsed(target, extras);
    }

    /// <summary>The most an <c>@file</c> may hold: a target is a few keys, and a path such as
    /// <c>@/dev/zero</c> must not be read until memory runs out. An <see cref="ITargetSource"/> keeps to it.</summary>
    public const int MaxJsonBytes = 64 * 1024;

    private static Parsed FromFile(string path, string what, IReadOnlyCollection<string> extraKeys, ITargetSource? source)
    {
        if (path.Length == 0) throw new SpecTextException($"{what}: @ needs a file name (@host.json)");
        if (source is null) throw new SpecTextException($"{what}: @{path} is a file, and no target source reads files here");
        return ParseJson(source.ReadJson(path, what), path, what, extraKeys, source);
    }

    /// <summary>Parses the JSON text of an <c>@file</c> target: the keys of a spec as an object
    /// with a <c>platform</c> member.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="path">The file's name, in messages.</param>
    /// <param name="what">What the spec is for, in messages (e.g. the option that named the file).</param>
    /// <param name="extraKeys">Additional keys the caller understands; returned in <see cref="Parsed.Extras"/>.</param>
    /// <param name="source">Reads a <c>host:</c> platform; without one, a host platform is an error.</param>
    public static Parsed ParseJson(string json, string path, string what = "target", IReadOnlyCollection<string>? extraKeys = null, ITargetSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        extraKeys ??= [];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SpecTextException($"{what}: {path} is not JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new SpecTextException($"{what}: {path} must hold a JSON object");
            var parts = new List<string>();
            string? platform = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var value = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number => p.Value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => throw new SpecTextException($"{what}: {path}: '{p.Name}' must be a string, number or boolean"),
                };
                if (p.Name == "platform") platform = value;
                else parts.Add($"{p.Name}={value}");
            }
            if (platform is null) throw new SpecTextException($"{what}: {path} has no \"platform\" (bmg, ptl, wcl or host:<BDF>)");
            if (platform.Contains(',') || platform.StartsWith('@')) throw new SpecTextException($"{what}: {path}: bad platform '{platform}'");
            return Parse(string.Join(",", parts.Prepend(platform)), what, extraKeys, source);
        }
    }

    private static (int, int, int) ParseGuc(string text, string what)
    {
        var p = text.Split('.');
        if (p.Length == 3 && p.All(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture), int.Parse(p[2], CultureInfo.InvariantCulture));
        throw new SpecTextException($"{what} guc: '{text}' is not major.minor.patch (e.g. 70.54.0)");
    }

    private static DriverVersion ParseDriver(string text, string what) =>
        CatalogIds.TryParse(text, out DriverVersion d) ? d
            : throw new SpecTextException($"{what} driver: '{text}' is not one of {string.Join(", ", Enum.GetValues<DriverVersion>().Select(CatalogIds.Of))}");

    private static bool ParseBool(string text, string what) => text switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new SpecTextException($"{what}: '{text}' is not true or false"),
    };

    private static uint ParseVf(string text, string what)
    {
        // A VF number, not a device id: its message gives VF numbers as examples.
        if (!SpecText.TryParseNumber(text.Trim(), out var vf) || vf > 0xFFFF)
            throw new SpecTextException($"{what} vf: '{text}' is not a VF number (1, 2, ...)");
        return vf == 0 ? throw new SpecTextException($"{what} vf: VFs are numbered from 1") : (uint)vf;
    }
}
