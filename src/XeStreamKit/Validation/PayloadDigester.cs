using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Hashing;

namespace XeStreamKit.Validation;

/// <summary>
/// CRC-32C digests from one validation pass (<see cref="ValidationOptions.PayloadDigest"/>).
/// </summary>
/// <param name="Crc32C">CRC-32C of every byte of the stream, headers and payloads, a truncated
/// tail included: what any CRC-32C tool prints for the file.</param>
/// <param name="Bytes">Bytes it covers (the stream's length).</param>
/// <param name="ByType">Per packet type, the CRC-32C of its payloads concatenated in stream
/// order: for VRAM, the VF's LMEM content, whatever the chunk size.</param>
/// <param name="Packets">Per packet, the CRC-32C of its payload, in stream order; at most
/// <see cref="ValidationOptions.MaxPacketDigests"/> are kept.</param>
/// <param name="PacketsNotKept">Packets digested but not kept in <paramref name="Packets"/>.</param>
public sealed record StreamDigest(uint Crc32C, long Bytes, IReadOnlyList<TypeDigest> ByType, IReadOnlyList<PacketDigest> Packets, long PacketsNotKept)
{
    /// <summary>True when this machine computes CRC-32C in three interleaved lanes (SSE4.2 and
    /// PCLMULQDQ, about three times one lane's throughput); else in one lane.</summary>
    public static bool Crc32CInterleaved => Hashing.Crc32C.IsInterleaved;
}

/// <summary>The payloads of one packet type.</summary>
/// <param name="Type">The type (possibly one the spec does not define).</param>
/// <param name="Packets">Packets of the type.</param>
/// <param name="PayloadBytes">Their payload bytes.</param>
/// <param name="Crc32C">CRC-32C of the payloads concatenated in stream order.</param>
public readonly record struct TypeDigest(PacketType Type, long Packets, ulong PayloadBytes, uint Crc32C);

/// <summary>The payload of one packet.</summary>
/// <param name="Index">Packet index.</param>
/// <param name="StreamOffset">Absolute offset of its header.</param>
/// <param name="Header">Its header.</param>
/// <param name="PayloadBytes">Payload bytes present (less than the header's size when the stream ends inside it).</param>
/// <param name="Crc32C">CRC-32C of those bytes.</param>
public readonly record struct PacketDigest(long Index, long StreamOffset, PacketHeader Header, ulong PayloadBytes, uint Crc32C)
{
    /// <summary>False when the stream ends inside the payload.</summary>
    public bool Complete => PayloadBytes == Header.Size;
}

/// <summary>
/// Watches a validation and checksums every byte with CRC-32C on the way: it wants every
/// payload (so nothing is skipped by seeking), and passes everything on to <paramref name="next"/>
/// unchanged. Each payload is checksummed once, into a register of its own; the stream and
/// per-type CRCs are extended by the packet's CRC with <see cref="Hashing.Crc32C.Shift"/>
/// (reg(s, P) = shift(s ^ ~0, |P|) ^ reg(~0, P)), never by re-reading bytes. Memory is bounded
/// by the number of packet types and <paramref name="maxPackets"/>.
/// </summary>
internal sealed class PayloadDigester(IRestoreObserver next, int maxPackets) : ForwardingRestoreObserver(next)
{
    private readonly (long Packets, ulong Bytes, uint Register)[] _types = new (long, ulong, uint)[256];
    private readonly List<PacketDigest> _packets = [];
    private long _packetsNotKept;
    private uint _stream = ~0u;
    private long _bytes;
    private uint _packet;
    private ulong _packetBytes;
    private bool _inPacket;
    private PacketHeader _header;
    private long _index;
    private long _offset;

    public StreamDigest Result() => new(~_stream, _bytes,
        Enumerable.Range(0, _types.Length).Where(t => _types[t].Packets > 0)
            .Select(t => new TypeDigest((PacketType)t, _types[t].Packets, _types[t].Bytes, ~_types[t].Register)).ToList(),
        _packets, _packetsNotKept);

    public override void OnPacketStart(in PacketHeader header, long index, long streamOffset)
    {
        Span<byte> bytes = stackalloc byte[Packet.HeaderSize];
        header.Write(bytes);
        _stream = Crc32C.UpdateSerial(_stream, bytes);
        _bytes += bytes.Length;
        _header = header;
        _index = index;
        _offset = streamOffset;
        _packet = ~0u;
        _packetBytes = 0;
        _inPacket = true;
        base.OnPacketStart(header, index, streamOffset);
    }

    public override bool WantsPayload(in PacketHeader header) => true;

    public override void OnPayload(ReadOnlySpan<byte> chunk)
    {
        _packet = Crc32C.Update(_packet, chunk);
        _packetBytes += (ulong)chunk.Length;
        base.OnPayload(chunk);
    }

    public override void OnPacketEnd()
    {
        ClosePacket();
        base.OnPacketEnd();
    }

    public override void OnPartialHeader(ReadOnlySpan<byte> bytes)
    {
        _stream = Crc32C.UpdateSerial(_stream, bytes);
        _bytes += bytes.Length;
        base.OnPartialHeader(bytes);
    }

    public override void OnEnd(long streamLength)
    {
        if (_inPacket) ClosePacket();
        base.OnEnd(streamLength);
    }

    private void ClosePacket()
    {
        _inPacket = false;
        _stream = Crc32C.Shift(_stream ^ ~0u, _packetBytes) ^ _packet;
        _bytes += (long)_packetBytes;
        ref var t = ref _types[(byte)_header.Type];
        // A type's register starts at ~0 like any CRC: ~0 ^ ~0 shifts as 0.
        var register = t.Packets == 0 ? _packet : Crc32C.Shift(t.Register ^ ~0u, _packetBytes) ^ _packet;
        t = (t.Packets + 1, t.Bytes + _packetBytes, register);
        if (_packets.Count < maxPackets) _packets.Add(new PacketDigest(_index, _offset, _header, _packetBytes, ~_packet));
        else _packetsNotKept++;
    }
}
