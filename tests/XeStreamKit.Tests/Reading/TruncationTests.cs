using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Reading;

/// <summary>Cutting a reference stream at every byte gives the right outcome, offset and counts.</summary>
public class TruncationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncation_at_every_byte_reports_the_cut_field(bool pipe)
    {
        var data = Vectors.SmallDriverShaped();
        var packets = new List<MigrationPacket>();
        using (var r = new MigrationStreamReader(new MemoryStream(data)))
            while (r.ReadNextPacket()) packets.Add(r.Current);

        for (var cut = 0; cut < data.Length; cut++)
        {
            var bytes = data[..cut];
            Stream source = pipe ? ChunkedStream.Random(bytes, cut) : new MemoryStream(bytes);
            using var reader = new MigrationStreamReader(source, new() { BufferSize = 64 });
            var complete = 0;
            MigrationStreamFormatException? error = null;
            try
            {
                while (reader.ReadNextPacket()) complete++;
            }
            catch (MigrationStreamFormatException e)
            {
                error = e;
            }

            var boundary = packets.FindIndex(p => p.StreamOffset == cut);
            if (boundary >= 0)
            {
                error.ShouldBeNull($"cut at {cut} is a packet boundary");
                complete.ShouldBe(boundary);
                continue;
            }
            error.ShouldNotBeNull($"cut at {cut}");
            var victim = packets.Last(p => p.StreamOffset < cut);
            error.PacketIndex.ShouldBe(victim.Index);
            if (cut < victim.PayloadOffset)
            {
                error.Field.ShouldBe("header");
                error.StreamOffset.ShouldBe(victim.StreamOffset);
                error.Problem.ShouldBe($"truncated, {cut - victim.StreamOffset} of 24 bytes present");
                error.PacketType.ShouldBeNull();
            }
            else
            {
                error.Field.ShouldBe("payload");
                error.StreamOffset.ShouldBe(victim.PayloadOffset);
                error.Problem.ShouldBe($"truncated, {cut - victim.PayloadOffset} of {victim.PayloadSize} bytes present");
                error.PacketType.ShouldBe(victim.Type);
            }
            error.Message.ShouldStartWith($"offset 0x{error.StreamOffset:X}: packet #{victim.Index}");
        }
    }
}
