using XeStreamKit.Tests.Support;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Synthetic;

namespace XeStreamKit.Tests.Hashing;

/// <summary>The vector paths of seeded bytes and XXH64 produce exactly the scalar paths' values,
/// so digests and emulated VRAM are the same on every CPU.</summary>
public class VectorPathTests
{
    [Avx512Fact]
    public void Seeded_words_made_eight_at_a_time_equal_the_scalar_ones_at_any_index_and_length()
    {
        var rng = new Random(3);
        for (var run = 0; run < 200; run++)
        {
            var length = rng.Next(0, 300);
            var index = (ulong)rng.NextInt64() >> rng.Next(0, 64);
            var seed = (ulong)rng.NextInt64();
            var vector = new ulong[length];
            var scalar = new ulong[length];
            SeededBytes.FillVector(vector, seed, index);
            SeededBytes.FillScalar(scalar, seed, index);
            vector.ShouldBe(scalar, $"{length} words from index {index}");
            for (var i = 0; i < Math.Min(length, 5); i++) scalar[i].ShouldBe(SeededBytes.Word(seed, index + (ulong)i));
        }
    }

    [Avx512Fact]
    public void Xxh64_stripes_as_one_vector_equal_the_four_scalar_accumulators()
    {
        var data = new byte[4096 + 96];
        SeededBytes.Fill(data, 17, 0);
        foreach (var length in new[] { 64, 96, 4096, 4096 + 96 })
        {
            ulong a1 = 1, a2 = 2, a3 = 3, a4 = 4, b1 = 1, b2 = 2, b3 = 3, b4 = 4;
            XxHash64.StripesVector(data.AsSpan(0, length), ref a1, ref a2, ref a3, ref a4);
            XxHash64.StripesScalar(data.AsSpan(0, length), ref b1, ref b2, ref b3, ref b4);
            (a1, a2, a3, a4).ShouldBe((b1, b2, b3, b4), $"{length} bytes");
        }
    }
}
