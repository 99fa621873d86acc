using System.Collections.Generic;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators.Ksy;

/// <summary>The subset of Kaitai Struct that the generator represents exactly.</summary>
internal sealed class KsySpec
{
    public string Id = "";
    public string? Title;
    public bool BigEndian;
    public IReadOnlyList<string> Doc = new string[0];
    public IReadOnlyList<string> DocRef = new string[0];
    public List<KsyField> Seq = new();
    public List<KsyType> Types = new();
    public List<KsyEnum> Enums = new();
    public YamlNode? Node;
}

internal sealed class KsyType
{
    public string Id = "";
    public string Path = "";
    public IReadOnlyList<string> Doc = new string[0];
    public IReadOnlyList<string> DocRef = new string[0];
    public List<KsyField> Seq = new();
    public YamlNode? Node;
}

internal sealed class KsyField
{
    public string Id = "";
    public string Path = "";
    /// <summary>A primitive (u1..u8, s1..s8) or a user type id; null for raw bytes or a switch.</summary>
    public string? Type;
    public KsySwitch? Switch;
    public string? Enum;
    public string? Size;
    /// <summary>The value from <c>valid: N</c> or <c>valid: {eq: N}</c>.</summary>
    public long? ValidEq;
    public bool ValidHex;
    public bool RepeatEos;
    public IReadOnlyList<string> Doc = new string[0];
    public IReadOnlyList<string> DocRef = new string[0];
    public YamlNode? Node;
    public YamlNode? SizeNode;
}

internal sealed class KsySwitch
{
    public string On = "";
    public List<KeyValuePair<string, string>> Cases = new();
    public YamlNode? Node;
}

internal sealed class KsyEnum
{
    public string Id = "";
    public string Path = "";
    public List<KsyEnumValue> Values = new();
    public YamlNode? Node;
}

internal sealed class KsyEnumValue
{
    public long Value;
    public bool Hex;
    public string Id = "";
    public IReadOnlyList<string> Doc = new string[0];
}

internal static class KsyPrimitive
{
    /// <summary>Byte width of a Kaitai integer type, or 0 if it is not one the generator supports.</summary>
    public static int Width(string? type) => type switch
    {
        "u1" or "s1" => 1,
        "u2" or "s2" => 2,
        "u4" or "s4" => 4,
        "u8" or "s8" => 8,
        _ => 0,
    };

    public static bool IsSigned(string type) => type[0] == 's';

    public static string ClrType(string type) => type switch
    {
        "u1" => "byte",
        "s1" => "sbyte",
        "u2" => "ushort",
        "s2" => "short",
        "u4" => "uint",
        "s4" => "int",
        "u8" => "ulong",
        "s8" => "long",
        _ => "?",
    };

    /// <summary>The BinaryPrimitives method stem for a width and signedness, e.g. "UInt32".</summary>
    public static string BinaryStem(string type) => type switch
    {
        "u2" => "UInt16",
        "s2" => "Int16",
        "u4" => "UInt32",
        "s4" => "Int32",
        "u8" => "UInt64",
        "s8" => "Int64",
        _ => "?",
    };
}
