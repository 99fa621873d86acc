using System.Buffers.Binary;
using XeStreamKit.Cli.Report;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Report;

/// <summary>
/// The report's GGTT summary (PTEs, present, DM, VF id bits, the VF ids in order of appearance)
/// counted a vector at a time equals the PTE-by-PTE count, whatever the chunking of the payload
/// and wherever PTEs with VF id bits fall (a clean save, a few dirty ones, every one dirty, more
/// VF ids than the summary keeps).
/// </summary>
public sealed class StreamRecorderTests
{
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.001, 7)]
    [InlineData(0.3, 4096)]
    [InlineData(1.0, 1 << 20)]
    public void Ggtt_counts_equal_a_pte_by_pte_count(double dirty, int chunk)
    {
        var random = new Random(unchecked((int)(dirty * 1000) + chunk));
        const int count = 20011; // not a multiple of any vector width
        var payload = new byte[count * GgttPayload.ElementSize];
        for (var i = 0; i < count; i++)
        {
            var pte = ((ulong)(uint)random.Next() << 12) | (uint)random.Next(4);
            if (random.NextDouble() < dirty) pte |= (ulong)(uint)random.Next(1, 12) << GgttPte.VfIdShift;
            BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(i * 8), pte);
        }
        var recorder = new StreamRecorder(Profile.Kernel);
        var header = new PacketHeader(1, PacketType.Ggtt, 0, 0, 0, 0, (ulong)payload.Length);
        recorder.OnPacketStart(header, 0, 0);
        recorder.WantsPayload(header).ShouldBeTrue();
        for (var at = 0; at < payload.Length; at += chunk)
            recorder.OnPayload(payload.AsSpan(at, Math.Min(chunk, payload.Length - at)));
        recorder.OnPacketEnd();

        var g = recorder.Ggtt.ShouldHaveSingleItem();
        var ptes = Enumerable.Range(0, count).Select(i => new GgttPte(BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(i * 8)))).ToList();
        var ids = ptes.Where(p => p.VfId != 0).Select(p => p.VfId).Distinct().ToList();
        g.Ptes.ShouldBe(count);
        g.Present.ShouldBe(ptes.Count(p => p.Present));
        g.LocalMemory.ShouldBe(ptes.Count(p => p.LocalMemory));
        g.WithVfId.ShouldBe(ptes.Count(p => p.VfId != 0));
        g.VfIds.AsSpan(0, g.VfIdCount).ToArray().ShouldBe(ids.Take(GgttSummary.MaxVfIds).ToArray());
        g.MoreVfIds.ShouldBe(ids.Count > GgttSummary.MaxVfIds);
        g.PartialBytes.ShouldBe(0);
    }
}
