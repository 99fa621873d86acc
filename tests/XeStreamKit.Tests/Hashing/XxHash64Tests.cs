using System.Text;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Synthetic;

namespace XeStreamKit.Tests.Hashing;

public class XxHash64Tests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1UL)]
    public void Matches_the_reference_vectors(string text, ulong expected) =>
        XxHash64.Hash(Encoding.ASCII.GetBytes(text)).ShouldBe(expected);

    [Fact]
    public void Incremental_appends_of_any_split_equal_the_one_shot_hash()
    {
        var data = new byte[5000];
        SeededBytes.Fill(data, 3, 0);
        var rng = new Random(7);
        foreach (var length in new[] { 0, 1, 31, 32, 33, 63, 64, 100, 4096, 5000 })
        {
            var expected = XxHash64.Hash(data.AsSpan(0, length), 42);
            var h = new XxHash64(42);
            for (var at = 0; at < length;)
            {
                var n = Math.Min(rng.Next(1, 70), length - at);
                h.Append(data.AsSpan(at, n));
                at += n;
            }
            h.GetCurrentHash().ShouldBe(expected, $"length {length}");
        }
    }

    [Fact]
    public void Seeded_bytes_are_the_same_whatever_the_offset_they_are_read_from()
    {
        var whole = new byte[1000];
        SeededBytes.Fill(whole, 99, 4096);
        for (var start = 0; start < 40; start++)
        {
            var part = new byte[37];
            SeededBytes.Fill(part, 99, 4096 + (ulong)start);
            part.ShouldBe(whole.AsSpan(start, 37).ToArray());
        }
    }
}
