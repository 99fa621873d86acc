using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Framing;
using XeStreamKit.Reading;

namespace XeStreamKit.Tests.Reading;

/// <summary>The one packet framer: any split of the bytes gives the same events; empty payloads,
/// skips and cuts.</summary>
public class FramerTests
{
    private const long Start = 0x1000;

    /// <summary>A GuC packet of 5 bytes, an empty MMIO packet, a GGTT packet of 3 bytes, a trailer.</summary>
    private static readonly byte[] Stream =
    [
        .. Vectors.HeaderBytes(PacketType.Guc, 5, gt: 1), 1, 2, 3, 4, 5,
        .. Vectors.HeaderBytes(PacketType.Mmio, 0),
        .. Vectors.HeaderBytes(PacketType.Ggtt, 3, offset: 0x40), 6, 7, 8,
        .. Vectors.Trailer,
    ];

    private static readonly long[] Offsets = [Start, Start + 29, Start + 53, Start + 80];

    /// <summary>Events as text, with payload chunks of one packet joined (chunking is free).</summary>
    private static List<string> Frame(ref PacketFramer framer, params ReadOnlyMemory<byte>[] pieces)
    {
        var log = new List<string>();
        var payload = new List<byte>();
        foreach (var piece in pieces)
        {
            var data = piece.Span;
            while (!data.IsEmpty)
            {
                var before = data.Length;
                var events = framer.Next(ref data, out var chunk).Events;
                (before - data.Length).ShouldBeGreaterThan(0, "every call takes bytes");
                if ((events & FrameEvents.Payload) != 0)
                {
                    chunk.IsEmpty.ShouldBeFalse();
                    payload.AddRange(chunk.ToArray());
                }
                else
                    chunk.IsEmpty.ShouldBeTrue();
                if ((events & FrameEvents.Header) != 0)
                {
                    (events & FrameEvents.Payload).ShouldBe(FrameEvents.None);
                    log.Add($"header #{framer.PacketIndex} at 0x{framer.PacketOffset:X} {framer.Header.Type} size {framer.Header.Size}");
                }
                if ((events & FrameEvents.PacketEnd) != 0)
                {
                    framer.AtBoundary.ShouldBeTrue();
                    log.Add($"end [{string.Join(",", payload)}]");
                    payload.Clear();
                }
                if (events == FrameEvents.None) data.IsEmpty.ShouldBeTrue("None only when the bytes went into a partial header");
            }
        }
        return log;
    }

    private static readonly List<string> Expected =
    [
        "header #0 at 0x1000 Guc size 5", "end [1,2,3,4,5]",
        "header #1 at 0x101D Mmio size 0", "end []",
        "header #2 at 0x1035 Ggtt size 3", "end [6,7,8]",
        "header #3 at 0x1050 Trailer size 0", "end []",
    ];

    [Fact]
    public void Whole_stream_in_one_call_frames_every_packet()
    {
        var framer = new PacketFramer(Start);
        Frame(ref framer, Stream).ShouldBe(Expected);
        framer.Position.ShouldBe(Start + Stream.Length);
        framer.PacketCount.ShouldBe(4);
        framer.Cut.ShouldBeNull();
    }

    [Fact]
    public void Every_two_and_three_way_split_gives_the_same_events()
    {
        for (var i = 0; i <= Stream.Length; i++)
            for (var j = i; j <= Stream.Length; j++)
            {
                var framer = new PacketFramer(Start);
                Frame(ref framer, Stream.AsMemory(0, i), Stream.AsMemory(i, j - i), Stream.AsMemory(j)).ShouldBe(Expected, $"split at {i} and {j}");
                framer.Position.ShouldBe(Start + Stream.Length);
            }
    }

    [Fact]
    public void One_byte_at_a_time_gives_the_same_events()
    {
        var framer = new PacketFramer(Start);
        var pieces = Enumerable.Range(0, Stream.Length).Select(i => (ReadOnlyMemory<byte>)Stream.AsMemory(i, 1)).ToArray();
        Frame(ref framer, pieces).ShouldBe(Expected);
        framer.Position.ShouldBe(Start + Stream.Length);
    }

    [Fact]
    public void An_empty_payload_completes_with_its_header_and_takes_no_byte_of_the_next_packet()
    {
        var framer = new PacketFramer();
        ReadOnlySpan<byte> data = [.. Vectors.HeaderBytes(PacketType.Mmio, 0), 0xAA];
        framer.Next(ref data, out var chunk).Events.ShouldBe(FrameEvents.Header | FrameEvents.PacketEnd);
        chunk.IsEmpty.ShouldBeTrue();
        data.Length.ShouldBe(1);
        framer.InPayload.ShouldBeFalse();
        framer.PayloadRemaining.ShouldBe(0UL);
        framer.Position.ShouldBe(24);
    }

    [Fact]
    public void A_payload_chunk_stops_at_the_packet_end()
    {
        var framer = new PacketFramer();
        ReadOnlySpan<byte> data = Stream;
        framer.Next(ref data, out _).Events.ShouldBe(FrameEvents.Header);
        framer.PayloadRemaining.ShouldBe(5UL);
        framer.Next(ref data, out var chunk).Events.ShouldBe(FrameEvents.Payload | FrameEvents.PacketEnd);
        chunk.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4, 5 });
        data.Length.ShouldBe(Stream.Length - 29);
    }

    [Fact]
    public void Skip_accounts_for_payload_bytes_not_seen()
    {
        var framer = new PacketFramer(Start);
        ReadOnlySpan<byte> data = Stream.AsSpan(0, 26);
        framer.Next(ref data, out _).Events.ShouldBe(FrameEvents.Header);
        framer.Next(ref data, out var chunk).Events.ShouldBe(FrameEvents.Payload);
        chunk.ToArray().ShouldBe(new byte[] { 1, 2 });
        Should.Throw<InvalidOperationException>(() => { var f = framer; f.Skip(4); });
        framer.Skip(0).ShouldBeFalse();
        framer.Skip(2).ShouldBeFalse();
        framer.PayloadRemaining.ShouldBe(1UL);
        framer.Position.ShouldBe(Start + 28);
        framer.Skip(1).ShouldBeTrue();
        framer.AtBoundary.ShouldBeTrue();
        // The next packet follows the skipped bytes.
        Frame(ref framer, Stream.AsMemory(29)).ShouldBe(Expected[2..]);
        Should.Throw<InvalidOperationException>(() => { var f = framer; f.Skip(1); });
    }

    [Fact]
    public void A_cut_names_the_packet_and_field_at_every_byte()
    {
        for (var cut = 0; cut <= Stream.Length; cut++)
        {
            var framer = new PacketFramer(Start);
            Frame(ref framer, Stream.AsMemory(0, cut));
            var packet = Array.FindLastIndex(Offsets, o => o <= Start + cut);
            var at = Start + cut - Offsets[packet];
            if (at == 0 || (packet == 1 && at == 24) || (packet == 3 && at == 24))
            {
                framer.Cut.ShouldBeNull($"cut at {cut} is a boundary");
                continue;
            }
            var c = framer.Cut.ShouldNotBeNull($"cut at {cut}");
            c.PacketIndex.ShouldBe(packet);
            c.PacketOffset.ShouldBe(Offsets[packet]);
            if (at < 24)
            {
                (c.InHeader, c.Field, c.FieldOffset, c.Type, c.Present, c.Expected).ShouldBe((true, "header", Offsets[packet], (PacketType?)null, (ulong)at, 24UL));
                framer.PartialHeader.ToArray().ShouldBe(Stream[(int)(Offsets[packet] - Start)..cut]);
            }
            else
            {
                var size = packet == 0 ? 5UL : 3UL;
                (c.InHeader, c.Field, c.FieldOffset, c.Present, c.Expected).ShouldBe((false, "payload", Offsets[packet] + 24, (ulong)(at - 24), size));
                c.Type.ShouldBe(packet == 0 ? PacketType.Guc : PacketType.Ggtt);
            }
        }
    }

    [Fact]
    public void Cut_texts_are_the_readers_and_the_driver_models()
    {
        var framer = new PacketFramer(Start);
        Frame(ref framer, Stream.AsMemory(0, 27));
        var payload = framer.Cut!.Value;
        payload.ToException().Message.ShouldBe("offset 0x1018: packet #0 (GuC): payload truncated, 3 of 5 bytes present");
        payload.EndsInside.ShouldBe("the stream ends inside packet #0 (payload 3 of 5 bytes)");

        framer = new PacketFramer(Start);
        Frame(ref framer, Stream.AsMemory(0, 40));
        var header = framer.Cut!.Value;
        header.ToException().Message.ShouldBe("offset 0x101D: packet #1: header truncated, 11 of 24 bytes present");
        header.EndsInside.ShouldBe("the stream ends inside packet #1 (header 11 of 24 bytes)");

        framer.Abandon();
        framer.Cut.ShouldBeNull();
        framer.AtBoundary.ShouldBeTrue();
        framer.Position.ShouldBe(Start + 40);
    }

    [Fact]
    public void The_reader_and_the_driver_model_report_the_framers_cut()
    {
        var data = Vectors.SmallDriverShaped();
        for (var cut = 1; cut < data.Length; cut += 7)
        {
            var framer = new PacketFramer();
            Frame(ref framer, data.AsMemory(0, cut));
            if (framer.Cut is not { } expected) continue;
            using var reader = new MigrationStreamReader(new MemoryStream(data[..cut]));
            var e = Should.Throw<MigrationStreamFormatException>(() => { while (reader.ReadNextPacket()) { } });
            e.Message.ShouldBe(expected.ToException().Message);

            var truncations = new Truncations();
            var model = new XeStreamKit.Driver.KernelRestoreModel(XeStreamKit.Catalog.TargetProfile.SelfDescribed(null, null), observer: truncations, continueAfterErrors: true, selfDescribed: true);
            model.Write(data.AsSpan(0, cut));
            model.Finish();
            var truncated = truncations.Last.ShouldNotBeNull($"cut at {cut}");
            (truncated.PacketIndex, truncated.StreamOffset, truncated.PacketType).ShouldBe((expected.PacketIndex, expected.PacketOffset, expected.Type));
            truncated.Message.ShouldBe(expected.EndsInside + "; the driver never dispatches it");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_reader_skips_and_reads_through_the_framer_at_any_buffer(bool seek)
    {
        foreach (var bufferSize in new[] { 64, 100, 4096 })
        {
            using var reader = new MigrationStreamReader(new MemoryStream(Stream), new() { BufferSize = bufferSize, StartOffset = Start, SeekToSkip = seek });
            reader.ReadNextPacket().ShouldBeTrue();
            var two = new byte[2];
            reader.ReadPayloadExactly(two);
            two.ShouldBe(new byte[] { 1, 2 });
            reader.SkipPayload();
            reader.PayloadRemaining.ShouldBe(0UL);
            reader.SkipPayload(); // nothing left: the next header stays unread
            reader.Position.ShouldBe(Start + 29);
            reader.ReadNextPacket().ShouldBeTrue();
            (reader.Current.Index, reader.Current.StreamOffset, reader.Current.Type).ShouldBe((1L, Start + 29, PacketType.Mmio));
            reader.ReadNextPacket().ShouldBeTrue();
            reader.ReadPayloadChunk(1).ToArray().ShouldBe(new byte[] { 6 });
            reader.ReadNextPacket().ShouldBeTrue();
            (reader.Current.Index, reader.Current.StreamOffset, reader.Current.Type).ShouldBe((3L, Start + 80, PacketType.Trailer));
            reader.ReadNextPacket().ShouldBeFalse();
            reader.Position.ShouldBe(Start + Stream.Length);
        }
    }

    private sealed class Truncations : XeStreamKit.Driver.IRestoreObserver
    {
        public XeStreamKit.Catalog.RuleViolation? Last { get; private set; }

        public void OnViolation(XeStreamKit.Catalog.RuleViolation violation)
        {
            if (violation.Rule.Id == "XE-TRUNCATED") Last = violation;
        }
    }
}
