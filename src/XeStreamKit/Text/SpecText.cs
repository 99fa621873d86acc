using System.Globalization;

namespace XeStreamKit.Text;

/// <summary>A value given as text (a size, an id, a target or device spec) is malformed.</summary>
public sealed class SpecTextException(string message) : FormatException(message);

/// <summary>Parses the values users type: sizes (<c>4GiB</c>, <c>512MiB</c>, <c>4096</c>) and ids (<c>0xE20B</c>, <c>57867</c>).</summary>
public static class SpecText
{
    private static readonly (string Suffix, int Shift)[] Units =
    [
        ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10),
        ("T", 40), ("G", 30), ("M", 20), ("K", 10), ("B", 0),
    ];

    /// <summary>Parses a byte count with an optional binary unit (KiB, MiB, GiB, TiB; K, M, G, T alias them).</summary>
    /// <param name="text">The text.</param>
    /// <param name="what">What the value is, for the error message (e.g. <c>lmem</c>).</param>
    public static ulong ParseSize(string text, string what)
    {
        var t = text.Trim();
        var shift = 0;
        foreach (var (suffix, s) in Units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && t.Length > suffix.Length)
            {
                t = t[..^suffix.Length].TrimEnd();
                shift = s;
                break;
            }
        }
        if (!TryParseNumber(t, out var value))
            throw new SpecTextException($"{what}: '{text}' is not a size (examples: 4GiB, 512MiB, 4096)");
        if (shift > 0 && value > ulong.MaxValue >> shift)
            throw new SpecTextException($"{what}: '{text}' is too large");
        return value << shift;
    }

    /// <summary>A size as <see cref="ParseSize"/> reads it back: the largest exact binary unit (<c>512MiB</c>, <c>16KiB</c>, <c>4000</c>).</summary>
    public static string FormatSize(ulong bytes) =>
        bytes == 0 ? "0" :
        bytes % (1UL << 30) == 0 ? $"{bytes >> 30}GiB" :
        bytes % (1UL << 20) == 0 ? $"{bytes >> 20}MiB" :
        bytes % (1UL << 10) == 0 ? $"{bytes >> 10}KiB" : $"{bytes}";

    /// <summary>Parses a non-negative number in decimal or 0x hex (a seed, a count).</summary>
    public static ulong ParseNumber(string text, string what) =>
        TryParseNumber(text.Trim(), out var value) ? value : throw new SpecTextException($"{what}: '{text}' is not a number (decimal or 0x hex)");

    /// <summary>Parses an id in hex (<c>0xE20B</c>) or decimal, at most <paramref name="max"/>.</summary>
    public static uint ParseId(string text, string what, uint max = uint.MaxValue)
    {
        if (!TryParseNumber(text.Trim(), out var value) || value > max)
            throw new SpecTextException($"{what}: '{text}' is not an id (examples: 0xE20B, 0, 57867; at most 0x{max:X})");
        return (uint)value;
    }

    /// <summary>Parses a non-negative number in decimal or 0x hex, with no sign, unit or white space.</summary>
    public static bool TryParseNumber(string t, out ulong value)
    {
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
