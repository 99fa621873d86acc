using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// Deterministic pseudo-random bytes addressed by (seed, offset): any range of a multi-GiB
/// "memory" can be produced on the fly and checked later without storing it (emulated VRAM,
/// test payloads). Each 8-byte word is SplitMix64 of the seed and the word's index.
/// </summary>
/// <remarks>
/// Words are independent, so where the CPU multiplies 64-bit lanes natively (AVX-512DQ) eight
/// are made at once in a 512-bit vector: the emulated device then produces VRAM faster than
/// memory copies it. Other CPUs run the scalar loop; the bytes are the same.
/// </remarks>
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
            if (IsVectorized) FillVector(words, seed, index);
            else FillScalar(words, seed, index);
            index += (ulong)whole;
            destination = destination[(whole * 8)..];
        }
        if (!destination.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(seed, index));
            word[..destination.Length].CopyTo(destination);
        }
    }

    /// <summary>True when words are made eight at a time.</summary>
    internal static bool IsVectorized => Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported;

    /// <summary>Words <paramref name="index"/>.. one at a time (the reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FillScalar(Span<ulong> words, ulong seed, ulong index)
    {
        var z = seed + (index + 1) * Golden;
        for (var i = 0; i < words.Length; i++, z += Golden)
        {
            var x = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            x ^= x >> 31;
            words[i] = BitConverter.IsLittleEndian ? x : BinaryPrimitives.ReverseEndianness(x);
        }
    }

    /// <summary>Words <paramref name="index"/>.. eight at a time (requires <see cref="IsVectorized"/>; x86 is little-endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FillVector(Span<ulong> words, ulong seed, ulong index)
    {
        var z0 = seed + (index + 1) * Golden;
        var z = Vector512.Create(z0) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Golden;
        var step = Vector512.Create(unchecked(8 * Golden));
        var m1 = Vector512.Create(0xBF58476D1CE4E5B9UL);
        var m2 = Vector512.Create(0x94D049BB133111EBUL);
        ref var w = ref MemoryMarshal.GetReference(words);
        // Two independent vectors per iteration: the multiplies of one overlap the other's.
        var pairs = words.Length / 16 * 16;
        var step2 = step + step;
        var z1 = z + step;
        nuint i = 0;
        for (; i < (nuint)pairs; i += 16, z += step2, z1 += step2)
        {
            var x = Avx512DQ.MultiplyLow(z ^ (z >> 30), m1);
            var y = Avx512DQ.MultiplyLow(z1 ^ (z1 >> 30), m1);
            x = Avx512DQ.MultiplyLow(x ^ (x >> 27), m2);
            y = Avx512DQ.MultiplyLow(y ^ (y >> 27), m2);
            (x ^ (x >> 31)).StoreUnsafe(ref w, i);
            (y ^ (y >> 31)).StoreUnsafe(ref w, i + 8);
        }
        var vectors = words.Length / 8 * 8;
        for (; i < (nuint)vectors; i += 8, z += step)
        {
            var x = Avx512DQ.MultiplyLow(z ^ (z >> 30), m1);
            x = Avx512DQ.MultiplyLow(x ^ (x >> 27), m2);
            (x ^ (x >> 31)).StoreUnsafe(ref w, i);
        }
        FillScalar(words[vectors..], seed, index + (ulong)vectors);
    }
}
