using System.Runtime.InteropServices;
using XeStreamKit.Format;

namespace XeStreamKit.Reading;

public sealed partial class MigrationStreamReader
{
    /// <summary>Decodes the current payload as a descriptor (spec type <c>descriptor_payload</c>),
    /// streaming it through a <see cref="KlvDecoder"/>.</summary>
    /// <exception cref="MigrationStreamFormatException">A KLV runs past the end of the payload.</exception>
    /// <exception cref="InvalidOperationException">Part of the payload was already consumed.</exception>
    public DescriptorInfo ReadDescriptor()
    {
        EnsureUnread();
        var info = new DescriptorInfo();
        var decoder = new KlvDecoder(_current.PayloadOffset);
        for (var chunk = ReadPayloadChunk(); !chunk.IsEmpty; chunk = ReadPayloadChunk())
            decoder.Push(chunk, info);
        if (decoder.Complete() is { } cut)
            throw Fail(MigrationStreamFormatException.Truncated(cut.StreamOffset, _current.Index, _current.Type,
                Packet.PayloadFieldId + "." + cut.Field, cut.Present, cut.Expected));
        return info;
    }

    /// <summary>Reads the next GGTT PTEs of the current payload (spec type <c>ggtt_payload</c>);
    /// returns how many were read, 0 at the end.</summary>
    /// <exception cref="MigrationStreamFormatException">The payload is not a whole number of PTEs.</exception>
    public int ReadGgttPtes(Span<ulong> destination)
    {
        var bytes = ReadWholeElements(MemoryMarshal.AsBytes(destination), GgttPayload.ElementSize, GgttPayload.ElementFieldId);
        return GgttPayload.ReadElements(bytes, destination);
    }

    /// <summary>Reads the next MMIO registers of the current payload (spec type <c>mmio_payload</c>);
    /// returns how many were read, 0 at the end.</summary>
    /// <exception cref="MigrationStreamFormatException">The payload is not a whole number of registers.</exception>
    public int ReadMmioRegisters(Span<uint> destination)
    {
        var bytes = ReadWholeElements(MemoryMarshal.AsBytes(destination), MmioPayload.ElementSize, MmioPayload.ElementFieldId);
        return MmioPayload.ReadElements(bytes, destination);
    }

    /// <summary>Throws unless the payload is a whole number of <paramref name="elementSize"/>-byte
    /// elements (the spec's <c>repeat: eos</c> leaves no remainder). Decided from the header alone,
    /// so the error points at the header's <c>size</c> field.</summary>
    public void EnsureWholeElements(int elementSize, string elementFieldId)
    {
        EnsurePacket();
        var size = _current.PayloadSize;
        if (size % (ulong)elementSize == 0) return;
        throw Fail(new MigrationStreamFormatException(_current.HeaderFieldOffset(PacketHeader.FieldOffsets.Size), _current.Index, _current.Type,
            MigrationPacket.HeaderField(PacketHeader.FieldIds.Size),
            $"{size} is not a whole number of {elementSize}-byte {elementFieldId}"));
    }

    private Span<byte> ReadWholeElements(Span<byte> bytes, int elementSize, string elementFieldId)
    {
        EnsureWholeElements(elementSize, elementFieldId);
        var want = (int)Math.Min((ulong)(bytes.Length / elementSize * elementSize), _framer.PayloadRemaining);
        bytes = bytes[..want];
        ReadPayloadExactly(bytes);
        return bytes;
    }

    private void EnsureUnread()
    {
        EnsurePacket();
        if (_framer.PayloadRemaining != _current.PayloadSize)
            throw new InvalidOperationException($"Part of packet #{_current.Index}'s payload was already read.");
    }
}
