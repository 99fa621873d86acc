using System.Text;
using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Tests.Support;
using XeStreamKit.Hashing;
using XeStreamKit.Devices.Emulated;

namespace XeStreamKit.Tests.Hashing;

public class Crc32CTests
{
    /// <summary>The definition, bit by bit, with no hardware at all.</summary>
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ Crc32C.Polynomial : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] Bytes(int length, ulong seed = 5)
    {
        var data = new byte[length];
        SeededBytes.Fill(data, seed, 0);
        return data;
    }

    [Theory]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    public void Matches_the_check_values(string text, uint expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Crc32C.Compute(bytes).ShouldBe(expected);
        Crc32CReference.Compute(bytes).ShouldBe(expected);
        Bitwise(bytes).ShouldBe(expected);
    }

    /// <summary>RFC 3720 (iSCSI) appendix B.4.</summary>
    [Fact]
    public void Matches_the_iscsi_test_vectors()
    {
        Crc32C.Compute(new byte[32]).ShouldBe(0x8A9136AAu);
        Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()).ShouldBe(0x62A8AB43u);
        Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()).ShouldBe(0x46DD794Eu);
        Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()).ShouldBe(0x113FDB5Cu);
    }

    [Fact]
    public void The_interleaved_path_equals_the_straightforward_crc_at_every_length_around_its_lane_sizes()
    {
        var data = Bytes(3 * 8192 * 2 + 3 * 1360 + 3 * 128 + 100);
        var lengths = new SortedSet<int>();
        foreach (var lane in new[] { 128, 1360, 8192 })
            for (var k = 1; k <= 2; k++)
                for (var d = -9; d <= 9; d++)
                    lengths.Add(Math.Max(0, 3 * lane * k + d));
        for (var n = 0; n <= 800; n++) lengths.Add(n);
        lengths.Add(data.Length);
        foreach (var n in lengths)
        {
            // Unaligned starts too: the lanes read unaligned words.
            foreach (var start in new[] { 0, 1, 7 })
            {
                if (start + n > data.Length) continue;
                var span = data.AsSpan(start, n);
                Crc32C.Compute(span).ShouldBe(Crc32CReference.Compute(span), $"length {n} at {start}");
            }
        }
        Crc32C.Compute(data).ShouldBe(Bitwise(data));
    }

    [Fact]
    public void Appending_in_any_split_equals_the_crc_of_the_whole()
    {
        var data = Bytes(100_000, 9);
        var expected = Crc32CReference.Compute(data);
        var arb = Gen.ListOf(Gen.Choose(0, 30_000)).ToArbitrary();
        Prop.ForAll(arb, cuts =>
        {
            var crc = 0u;
            var at = 0;
            foreach (var cut in cuts.Append(data.Length))
            {
                var n = Math.Min(cut, data.Length - at);
                crc = Crc32C.Append(crc, data.AsSpan(at, n));
                at += n;
            }
            crc.ShouldBe(expected);
        }).Check(PropertyConfig.Quick(100));
    }

    [Fact]
    public void Combining_the_crcs_of_two_pieces_equals_the_crc_of_both()
    {
        var data = Bytes(70_000, 11);
        foreach (var split in new[] { 0, 1, 8, 24, 4095, 4096, 4097, 24_576, 65_536, 69_999, 70_000 })
        {
            var a = data.AsSpan(0, split);
            var b = data.AsSpan(split);
            Crc32C.Combine(Crc32C.Compute(a), Crc32C.Compute(b), (ulong)b.Length).ShouldBe(Crc32CReference.Compute(data), $"split at {split}");
        }
    }

    [Fact]
    public void Shifting_over_n_zero_bytes_equals_checksumming_them_for_any_length_up_to_2_pow_64()
    {
        var zeros = new byte[5000];
        foreach (var n in new[] { 0, 1, 2, 3, 7, 8, 9, 24, 100, 4096, 4999 })
            Crc32C.Shift(0xDEADBEEF, (ulong)n).ShouldBe(Crc32C.UpdateSerial(0xDEADBEEF, zeros.AsSpan(0, n)), $"{n} bytes");

        // Lengths no test can checksum byte by byte: shifting is a homomorphism, so two shifts
        // must equal one over the sum, across the hardware table and the software fallback.
        var arb = (from a in ArbMap.Default.GeneratorFor<ulong>() from b in ArbMap.Default.GeneratorFor<ulong>() from s in ArbMap.Default.GeneratorFor<uint>() select (a >> 1, b >> 1, s)).ToArbitrary();
        Prop.ForAll(arb, x =>
        {
            var (a, b, s) = x;
            Crc32C.Shift(Crc32C.Shift(s, a), b).ShouldBe(Crc32C.Shift(s, a + b));
            Crc32C.Shift(s, a).ShouldBe(Crc32C.MultiplyModP(Crc32C.Shift(1u << 31, a), s));
        }).Check(PropertyConfig.Quick(200));
        Crc32C.Shift(0x12345678, ulong.MaxValue).ShouldBe(Crc32C.Shift(Crc32C.Shift(0x12345678, ulong.MaxValue / 2), ulong.MaxValue / 2 + 1));
    }
}
