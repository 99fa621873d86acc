using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XeStreamKit.Hashing;

/// <summary>
/// CRC-32C (Castagnoli: iSCSI, ext4, Btrfs, Google Cloud Storage; reflected polynomial
/// 0x82F63B78, initial value and final XOR 0xFFFFFFFF), so CRC-32C("123456789") = 0xE3069283.
/// Values are the finished CRCs other tools print; <see cref="Append"/> continues one and
/// <see cref="Combine"/> joins the CRCs of two adjacent pieces without their bytes.
/// </summary>
/// <remarks>
/// The CRC32 instruction (<see cref="BitOperations.Crc32C(uint, ulong)"/>) has a latency of three
/// cycles and a throughput of one per cycle, so one chain of it runs at a third of its speed. On
/// x86 with PCLMULQDQ, buffers are cut into three lanes that are checksummed side by side and
/// joined by shifting the first two over the bytes that follow them (a multiplication by
/// x^(8n) mod P, done with one carry-less multiply and one CRC32 instruction); measured three
/// times the throughput of one chain. Elsewhere one chain is used (hardware CRC32 where the CPU
/// has it, otherwise the runtime's table).
/// </remarks>
internal static class Crc32C
{
    /// <summary>The polynomial, bit-reflected.</summary>
    public const uint Polynomial = 0x82F63B78;

    /// <summary>Lane lengths of the interleaved path, longest first; each lane a multiple of 8 bytes.
    /// 1360 fits a 4 KiB page in one block (3 x 1360 + 16): 25% faster on 4 KiB payloads than 1024.</summary>
    private static readonly int[] LaneLengths = [8192, 1360, 128];

    /// <summary>x^(2^k) mod P for k = 0..66 (zlib's x2n_table; 8 * 2^64 bytes is x^(2^67)), in the
    /// reflected representation where 0x80000000 is x^0.</summary>
    private static readonly uint[] PowersOfX = BuildPowersOfX();

    /// <summary>For the interleaved path: per lane length L, x^(8L-33) and x^(16L-33) mod P.</summary>
    private static readonly (uint One, uint Two)[] LaneShifts = LaneLengths.Select(l => (XPow(8UL * (ulong)l - 33), XPow(16UL * (ulong)l - 33))).ToArray();

    /// <summary>For <see cref="Shift"/> in hardware: x^(8*2^k - 33) mod P for k = 3..60 (below 3 the
    /// exponent is negative and the software multiply is used).</summary>
    private static readonly uint[] ByteShifts = Enumerable.Range(0, 61).Select(k => k < 3 ? 0u : XPow((8UL << k) - 33)).ToArray();

    /// <summary>True when the interleaved three-lane path is used.</summary>
    public static bool IsInterleaved => Sse42.X64.IsSupported && Pclmulqdq.IsSupported;

    /// <summary>CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>CRC-32C of the bytes that gave <paramref name="crc"/> followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    /// <summary>CRC-32C of A followed by B, from CRC-32C(A) = <paramref name="crc1"/>,
    /// CRC-32C(B) = <paramref name="crc2"/> and B's length (zlib's crc32_combine).</summary>
    public static uint Combine(uint crc1, uint crc2, ulong length2) => Shift(crc1, length2) ^ crc2;

    /// <summary>Continues a CRC register (not inverted) over <paramref name="data"/>.</summary>
    /// <remarks>Optimised at once: a command-line run lasts seconds, and tiered compilation would
    /// run the first gigabytes through unoptimised code.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (!IsInterleaved) return UpdateSerial(state, data);
        ref var p = ref MemoryMarshal.GetReference(data);
        var left = data.Length;
        for (var tier = 0; tier < LaneLengths.Length; tier++)
        {
            var lane = LaneLengths[tier];
            var (one, two) = LaneShifts[tier];
            while (left >= 3 * lane)
            {
                uint a = state, b = 0, c = 0;
                for (var i = 0; i < lane; i += 8)
                {
                    a = BitOperations.Crc32C(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
                    b = BitOperations.Crc32C(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + lane)));
                    c = BitOperations.Crc32C(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 2 * lane)));
                }
                // reg(s, A B C) = shift(reg(s, A), 2L) ^ shift(reg(0, B), L) ^ reg(0, C).
                state = MultiplyX33(a, two) ^ MultiplyX33(b, one) ^ c;
                p = ref Unsafe.Add(ref p, 3 * lane);
                left -= 3 * lane;
            }
        }
        return UpdateSerial(state, MemoryMarshal.CreateReadOnlySpan(ref p, left));
    }

    /// <summary>One chain of CRC32 instructions (the reference the interleaved path must equal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint UpdateSerial(uint state, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        for (; i < data.Length; i++) state = BitOperations.Crc32C(state, Unsafe.Add(ref p, i));
        return state;
    }

    /// <summary>A CRC register moved over <paramref name="bytes"/> zero bytes: state * x^(8 bytes) mod P.</summary>
    internal static uint Shift(uint state, ulong bytes)
    {
        // x^(8 * 2^k) = x^(2^(k+3)).
        for (var k = 0; bytes != 0; k++, bytes >>= 1)
        {
            if ((bytes & 1) == 0) continue;
            state = IsInterleaved && k >= 3 && k < ByteShifts.Length ? MultiplyX33(state, ByteShifts[k]) : MultiplyModP(PowersOfX[k + 3], state);
        }
        return state;
    }

    /// <summary>a * b mod P in the reflected representation (zlib's multmodp).</summary>
    internal static uint MultiplyModP(uint a, uint b)
    {
        var m = 1u << 31;
        uint product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0) break;
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
    }

    /// <summary>a * b * x^33 mod P: the 63-bit carry-less product read by a CRC32 instruction,
    /// which multiplies by x^32 and reduces; the reflected product carries one more x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint MultiplyX33(uint a, uint b)
    {
        var product = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar((ulong)a), Vector128.CreateScalar((ulong)b), 0x00);
        return BitOperations.Crc32C(0u, product.ToScalar());
    }

    /// <summary>x^n mod P.</summary>
    private static uint XPow(ulong n)
    {
        var p = 1u << 31;
        for (var k = 0; n != 0; k++, n >>= 1)
            if ((n & 1) != 0) p = MultiplyModP(PowersOfX[k], p);
        return p;
    }

    private static uint[] BuildPowersOfX()
    {
        var table = new uint[67];
        var p = 1u << 30; // x^1
        for (var k = 0; k < table.Length; k++)
        {
            table[k] = p;
            p = MultiplyModP(p, p);
        }
        return table;
    }
}
