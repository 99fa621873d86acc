using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Reading;

namespace XeStreamKit.Qemu;

/// <summary>What <see cref="XeStreamChain.CopyVerified"/> read.</summary>
/// <param name="Packets">Packets in the chain, descriptor and trailer included.</param>
/// <param name="Bytes">Bytes of the Xe stream.</param>
public readonly record struct XeChainSummary(long Packets, long Bytes);

/// <summary>
/// Checks that bytes form an Xe packet chain - the test that tells reassembled device data from
/// chance marker bytes: consecutive 24-byte headers (version 1) each followed by its payload, a
/// descriptor first (<c>01 01 00 00 ...</c>), a trailer last, nothing after it. Payload contents are
/// not judged here (that is validation's job).
/// </summary>
public static class XeStreamChain
{
    /// <summary>Reads <paramref name="source"/> to its end, copying every byte to
    /// <paramref name="destination"/> (when given) as it goes, and checks the chain.</summary>
    /// <exception cref="MigrationStreamFormatException">The bytes are not an Xe packet chain
    /// (offsets are in the Xe stream).</exception>
    public static XeChainSummary CopyVerified(Stream source, Stream? destination, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var input = destination is null ? source : new TeeReadStream(source, destination);
        using var reader = new MigrationStreamReader(input, new MigrationStreamReaderOptions { LeaveOpen = true, SeekToSkip = false, Progress = progress });
        var trailerSeen = false;
        while (reader.ReadNextPacket())
        {
            var p = reader.Current;
            if (p.Index == 0 && p.Type != PacketType.Descriptor)
                throw new MigrationStreamFormatException(p.HeaderFieldOffset(PacketHeader.FieldOffsets.Type), p.Index, p.Type,
                    MigrationPacket.HeaderField(PacketHeader.FieldIds.Type), $"must be the descriptor (1) at the start of the stream, found {(byte)p.Type}");
            if (trailerSeen)
                throw new MigrationStreamFormatException(p.StreamOffset, p.Index, p.Type, Packet.HeaderFieldId, "follows the trailer, which must be the last packet");
            trailerSeen = p.Type == PacketType.Trailer;
        }
        if (reader.PacketCount == 0)
            throw new MigrationStreamFormatException(0, -1, null, "stream", "is empty: an Xe stream starts with a descriptor packet");
        if (!trailerSeen)
            throw new MigrationStreamFormatException(reader.Position, reader.PacketCount, null, "stream", $"ends after {reader.PacketCount} packets without a trailer");
        return new XeChainSummary(reader.PacketCount, reader.Position);
    }
}
