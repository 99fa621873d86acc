using XeStreamKit.Tests.Support;
using XeStreamKit.Devices.Emulated;

namespace XeStreamKit.Tests.Hashing;

/// <summary>The vector path of seeded bytes produces exactly the scalar path's values, so
/// emulated VRAM is the same on every CPU.</summary>
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
}
