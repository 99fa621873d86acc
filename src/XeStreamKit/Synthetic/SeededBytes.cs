using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XeStreamKit.Synthetic;

/// <summary>
/// Deterministic pseudo-random bytes addressed by (seed, offset): any range of a multi-GiB
/// "memory" can be produced on the fly and checked later without storing it (emulated VRAM,
/// test payloads). Each 8-byte word is SplitMix64 of the seed and the word's index.
/// </summary>
public static class SeededBytes
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The 8-byte word at word index <paramref name="index"/>.</summary>
    public static ulong Word(ulong seed, ulong index)
    {
        var z = seed + (index + 1) * Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    public static void Fill(Span<byte> destination, ulong seed, ulong offset)
    {
        Span<byte> word = stackalloc byte[8];
        var index = offset / 8;
        var skip = (int)(offset % 8);
        if (skip != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(seed, index++));
            var head = Math.Min(8 - skip, destination.Length);
            word.Slice(skip, head).CopyTo(destination);
            destination = destination[head..];
        }
        var whole = destination.Length / 8;
        if (whole > 0)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(destination[..(whole * 8)]);
            var z = seed + (index + 1) * Golden;
            for (var i = 0; i < words.Length; i++, z += Golden)
            {
                var x = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
                x ^= x >> 31;
                words[i] = BitConverter.IsLittleEndian ? x : BinaryPrimitives.ReverseEndianness(x);
            }
            index += (ulong)whole;
            destination = destination[(whole * 8)..];
        }
        if (!destination.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(seed, index));
            word[..destination.Length].CopyTo(destination);
        }
    }
}
