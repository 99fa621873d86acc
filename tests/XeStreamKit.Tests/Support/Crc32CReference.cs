using System.Numerics;

namespace XeStreamKit.Tests.Support;

/// <summary>The CRC-32C that <c>Crc32C</c> and the validator's digests are checked against.</summary>
public static class Crc32CReference
{
    /// <summary>The straightforward CRC-32C: one CRC32 instruction per byte, inverted in and out.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
