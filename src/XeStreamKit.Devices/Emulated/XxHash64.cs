using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// XXH64 (xxHash, 64-bit), incremental, for the state digests of the emulated devices; checked
/// against the reference test vectors. Written out rather than taken from System.IO.Hashing
/// 11.0.0, whose XxHash64 is scalar: on the AVX-512 machine of bench/README.md it hashed 4 KiB
/// pages at 0.4-0.7x this speed, and the emulated restore (one hash per page) ran at 0.55-0.75x
/// in <c>xsk bench</c>. Its XxHash3 is faster than this, but would change every digest.
/// </summary>
/// <remarks>
/// The four accumulators of a 32-byte stripe are the four 64-bit lanes of one 256-bit vector;
/// where the CPU multiplies 64-bit lanes natively (AVX-512DQ, VPMULLQ) a stripe is one load, two
/// multiplies, an add and a rotate, about twice the speed of the scalar rounds, which are kept
/// for every other CPU. Both give the same hash.
/// </remarks>
internal sealed class XxHash64
{
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;
    private const ulong P4 = 0x85EBCA77C2B2AE63UL;
    private const ulong P5 = 0x27D4EB2F165667C5UL;
    private const int Stripe = 32;

    private readonly ulong _seed;
    private readonly byte[] _pending = new byte[Stripe];
    private ulong _v1, _v2, _v3, _v4;
    private ulong _length;
    private int _pendingLength;

    /// <summary>Starts a hash with <paramref name="seed"/>.</summary>
    public XxHash64(ulong seed = 0)
    {
        _seed = seed;
        Reset();
    }

    /// <summary>XXH64 of <paramref name="data"/> in one call, without allocating.</summary>
    /// <remarks>Optimised at once (as the stripe loops): emulated restores hash every 4 KiB page
    /// with it, and a command-line run is over before tiered compilation would optimise it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ulong v1 = unchecked(seed + P1 + P2), v2 = unchecked(seed + P2), v3 = seed, v4 = unchecked(seed - P1);
        var whole = data.Length / Stripe * Stripe;
        Stripes(data[..whole], ref v1, ref v2, ref v3, ref v4);
        return Finish(v1, v2, v3, v4, seed, (ulong)data.Length, data[whole..]);
    }

    /// <summary>Starts over.</summary>
    public void Reset()
    {
        _v1 = unchecked(_seed + P1 + P2);
        _v2 = unchecked(_seed + P2);
        _v3 = _seed;
        _v4 = unchecked(_seed - P1);
        _length = 0;
        _pendingLength = 0;
    }

    /// <summary>Adds <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_pendingLength > 0)
        {
            var take = Math.Min(Stripe - _pendingLength, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < Stripe) return;
            Stripes(_pending);
            _pendingLength = 0;
        }
        var whole = data.Length / Stripe * Stripe;
        if (whole > 0) Stripes(data[..whole]);
        data[whole..].CopyTo(_pending);
        _pendingLength = data.Length - whole;
    }

    /// <summary>Adds one little-endian 64-bit value.</summary>
    public void Append(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Append(b);
    }

    /// <summary>The hash of everything appended so far (appending may continue).</summary>
    public ulong GetCurrentHash() => Finish(_v1, _v2, _v3, _v4, _seed, _length, _pending.AsSpan(0, _pendingLength));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Finish(ulong v1, ulong v2, ulong v3, ulong v4, ulong seed, ulong length, ReadOnlySpan<byte> rest)
    {
        ulong h;
        if (length >= Stripe)
        {
            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            h = Merge(h, v1);
            h = Merge(h, v2);
            h = Merge(h, v3);
            h = Merge(h, v4);
        }
        else h = unchecked(seed + P5);
        h += length;

        while (rest.Length >= 8)
        {
            h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(rest));
            h = BitOperations.RotateLeft(h, 27) * P1 + P4;
            rest = rest[8..];
        }
        if (rest.Length >= 4)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(rest) * P1;
            h = BitOperations.RotateLeft(h, 23) * P2 + P3;
            rest = rest[4..];
        }
        foreach (var b in rest)
        {
            h ^= b * P5;
            h = BitOperations.RotateLeft(h, 11) * P1;
        }
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
    }

    private void Stripes(ReadOnlySpan<byte> data) => Stripes(data, ref _v1, ref _v2, ref _v3, ref _v4);

    /// <summary>True when stripes are hashed as 256-bit vectors.</summary>
    internal static bool IsVectorized => Avx512DQ.VL.IsSupported && Avx512F.VL.IsSupported;

    private static void Stripes(ReadOnlySpan<byte> data, ref ulong v1, ref ulong v2, ref ulong v3, ref ulong v4)
    {
        if (IsVectorized && data.Length >= 2 * Stripe) StripesVector(data, ref v1, ref v2, ref v3, ref v4);
        else StripesScalar(data, ref v1, ref v2, ref v3, ref v4);
    }

    /// <summary>The reference rounds, one accumulator at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void StripesScalar(ReadOnlySpan<byte> data, ref ulong v1, ref ulong v2, ref ulong v3, ref ulong v4)
    {
        for (var i = 0; i + Stripe <= data.Length; i += Stripe)
        {
            v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
            v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]));
            v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 16)..]));
            v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 24)..]));
        }
    }

    /// <summary>The same rounds with the four accumulators in one vector (requires <see cref="IsVectorized"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void StripesVector(ReadOnlySpan<byte> data, ref ulong v1, ref ulong v2, ref ulong v3, ref ulong v4)
    {
        var acc = Vector256.Create(v1, v2, v3, v4);
        var p1 = Vector256.Create(P1);
        var p2 = Vector256.Create(P2);
        ref var p = ref MemoryMarshal.GetReference(data);
        var whole = data.Length / Stripe * Stripe;
        for (nuint i = 0; i < (nuint)whole; i += Stripe)
        {
            var input = Vector256.LoadUnsafe(ref p, i).AsUInt64();
            acc = Avx512DQ.VL.MultiplyLow(Avx512F.VL.RotateLeft(Avx512DQ.VL.MultiplyLow(input, p2) + acc, 31), p1);
        }
        v1 = acc.GetElement(0);
        v2 = acc.GetElement(1);
        v3 = acc.GetElement(2);
        v4 = acc.GetElement(3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong input) => BitOperations.RotateLeft(acc + input * P2, 31) * P1;

    private static ulong Merge(ulong acc, ulong value) => (acc ^ Round(0, value)) * P1 + P4;
}
