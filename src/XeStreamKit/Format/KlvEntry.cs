namespace XeStreamKit.Format;

/// <summary>A decoded KLV: key, length in dwords, where it starts, and its first value dwords.</summary>
public sealed record KlvEntry(KlvKey Key, ushort Length, long StreamOffset, IReadOnlyList<uint> Value)
{
    /// <summary>True when the value is longer than the dwords kept in <see cref="Value"/>.</summary>
    public bool ValueElided => Value.Count < Length;

    /// <summary>True for the keys the spec defines (DEVID, REVID).</summary>
    public bool IsKnownKey => KlvKeyInfo.IsDefined(Key);
}

/// <summary>A KLV to encode: key and value dwords (the length is derived from the value).</summary>
public readonly record struct KlvValue(KlvKey Key, ReadOnlyMemory<uint> Value);
