using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using XeStreamKit.Format;

namespace XeStreamKit.Framing;

/// <summary>What one <see cref="PacketFramer.Next(ReadOnlySpan{byte})"/> step found (flags: an empty packet gives
/// <see cref="Header"/> and <see cref="PacketEnd"/> at once, the last payload chunk
/// <see cref="Payload"/> and <see cref="PacketEnd"/>).</summary>
[Flags]
internal enum FrameEvents : byte
{
    /// <summary>The bytes were used up without an event (part of a header was kept), or there were none.</summary>
    None = 0,

    /// <summary>A header is complete: <see cref="PacketFramer.Header"/>, <see cref="PacketFramer.PacketIndex"/>
    /// and <see cref="PacketFramer.PacketOffset"/> describe the new packet.</summary>
    Header = 1,

    /// <summary>A chunk of the current packet's payload was handed out.</summary>
    Payload = 2,

    /// <summary>The current packet is complete (its payload, possibly empty, is all there).</summary>
    PacketEnd = 4,
}

/// <summary>One step of the <see cref="PacketFramer"/>: what it found and how many bytes from the
/// front of the input it took for that (8 bytes, returned in a register).</summary>
/// <param name="Events">The events of this step.</param>
/// <param name="Consumed">Bytes taken from the front of the input; with <see cref="FrameEvents.Payload"/>
/// they are the payload chunk.</param>
internal readonly record struct FrameStep(FrameEvents Events, int Consumed)
{
    /// <summary>True when a header completed in this step.</summary>
    public bool HeaderComplete => (Events & FrameEvents.Header) != 0;

    /// <summary>True when the step's bytes are a payload chunk.</summary>
    public bool IsPayload => (Events & FrameEvents.Payload) != 0;

    /// <summary>True when the packet completed in this step.</summary>
    public bool PacketComplete => (Events & FrameEvents.PacketEnd) != 0;
}

/// <summary>
/// The one packet framer: bytes in, in pieces of any size (down to one byte), and
/// "header complete / payload chunk / packet complete" out. Everything that reads a migration
/// stream frames it here - <see cref="Reading.MigrationStreamReader"/> (pull) and the driver model
/// (push, write() by write()) - so the two cannot disagree about where a packet starts or where a
/// stream is cut.
/// </summary>
/// <remarks>
/// The state is the driver's: a header still to fill (<c>hdr_remaining</c>) or payload bytes
/// still to come (<c>remaining</c>), as in xe_sriov_packet.c@83675851547e:xe_sriov_packet_write_single
/// (L322-L351) with pkt_hdr_write (L275-L296) and pkt_data_write (L298-L310): a write goes to the
/// header until it is whole, then to the payload, and the packet is complete when both are 0.
/// A header that arrives whole is decoded where it lies; only a header split across calls is
/// copied (into 24 bytes inside the framer). Payload chunks are slices of the caller's bytes.
/// Nothing is allocated. A mutable struct: keep it in a field (not <c>readonly</c>) and call it in place.
/// </remarks>
internal struct PacketFramer
{
    private HeaderBytes _partial;
    private PacketHeader _header;
    private long _position;
    private long _packetOffset;
    private long _packetCount;
    private ulong _remaining;
    private int _headerFill;
    private bool _inPayload;

    /// <summary>A framer whose first byte sits at absolute offset <paramref name="startOffset"/>.</summary>
    public PacketFramer(long startOffset) => _position = startOffset;

    /// <summary>Absolute offset of the next byte the framer takes.</summary>
    public readonly long Position => _position;

    /// <summary>Packets whose header is complete.</summary>
    public readonly long PacketCount => _packetCount;

    /// <summary>Index of the current (last framed) packet; -1 before the first header.</summary>
    public readonly long PacketIndex => _packetCount - 1;

    /// <summary>Absolute offset of the current packet's header (or of the partial header being filled).</summary>
    public readonly long PacketOffset => _packetOffset;

    /// <summary>The current packet's header (valid from its <see cref="FrameEvents.Header"/> event on).</summary>
    [UnscopedRef]
    public readonly ref readonly PacketHeader Header => ref _header;

    /// <summary>True between a header with a payload and the payload's last byte.</summary>
    public readonly bool InPayload => _inPayload;

    /// <summary>Payload bytes of the current packet still to come (0 outside a payload).</summary>
    public readonly ulong PayloadRemaining => _inPayload ? _remaining : 0;

    /// <summary>Header bytes kept from a header split across calls (0 outside a header).</summary>
    public readonly int HeaderFill => _headerFill;

    /// <summary>True on a packet boundary: no header partly filled, no payload pending.</summary>
    public readonly bool AtBoundary => !_inPayload && _headerFill == 0;

    /// <summary>The bytes of a partly filled header.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> PartialHeader => ((ReadOnlySpan<byte>)_partial)[.._headerFill];

    /// <summary>
    /// Takes bytes from the front of <paramref name="data"/> up to the next event: a payload chunk
    /// (the first <see cref="FrameStep.Consumed"/> bytes), a complete header, or - when the bytes end
    /// first - part of a header (<see cref="FrameEvents.None"/>, all of them taken). Call again with
    /// the rest while bytes are left. Takes nothing only when <paramref name="data"/> is empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FrameStep Next(ReadOnlySpan<byte> data)
    {
        if (!_inPayload)
        {
            if (_headerFill != 0 || data.Length < Packet.HeaderSize) return NextHeaderPiece(data);
            // pkt_hdr_write in one go: decoded where it lies.
            _packetOffset = _position;
            _header = PacketHeader.Read(data);
            _position += Packet.HeaderSize;
            return new FrameStep(HeaderComplete(), Packet.HeaderSize);
        }
        // pkt_data_write: up to what the payload has left.
        var take = (int)Math.Min(_remaining, (ulong)data.Length);
        if (take == 0) return default;
        _position += take;
        _remaining -= (ulong)take;
        if (_remaining > 0) return new FrameStep(FrameEvents.Payload, take);
        _inPayload = false;
        return new FrameStep(FrameEvents.Payload | FrameEvents.PacketEnd, take);
    }

    /// <summary>Takes bytes from the front of <paramref name="data"/>, slicing it past them, and
    /// returns the step with the payload chunk they are (empty unless <see cref="FrameStep.IsPayload"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FrameStep Next(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> payload)
    {
        var step = Next(data);
        payload = step.IsPayload ? data[..step.Consumed] : default;
        data = data[step.Consumed..];
        return step;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private FrameStep NextHeaderPiece(ReadOnlySpan<byte> data)
    {
        if (_headerFill == 0)
        {
            if (data.IsEmpty) return default;
            _packetOffset = _position;
        }

        // pkt_hdr_write in pieces: kept until hdr_remaining reaches 0.
        Span<byte> partial = _partial;
        var n = Math.Min(Packet.HeaderSize - _headerFill, data.Length);
        data[..n].CopyTo(partial[_headerFill..]);
        _headerFill += n;
        _position += n;
        if (_headerFill < Packet.HeaderSize) return new FrameStep(FrameEvents.None, n);
        _headerFill = 0;
        _header = PacketHeader.Read(partial);
        return new FrameStep(HeaderComplete(), n);
    }

    /// <summary>Accounts for <paramref name="count"/> payload bytes that were not read (seeked over);
    /// returns true when that completes the packet.</summary>
    /// <exception cref="InvalidOperationException">More bytes than the payload has left.</exception>
    public bool Skip(ulong count)
    {
        if (count > PayloadRemaining) throw new InvalidOperationException($"Only {PayloadRemaining} payload bytes can be skipped here, not {count}.");
        if (count == 0) return false;
        _position += (long)count;
        _remaining -= count;
        if (_remaining > 0) return false;
        _inPayload = false;
        return true;
    }

    /// <summary>Where the stream is cut if it ends here: null on a packet boundary, otherwise the
    /// header or payload that is incomplete. The one source of truncation errors.</summary>
    public readonly FrameCut? Cut
    {
        get
        {
            if (_inPayload)
            {
                var size = Packet.PayloadSize(_header);
                return new FrameCut(PacketIndex, _packetOffset, _header.Type, false, size - _remaining, size);
            }
            return _headerFill > 0 ? new FrameCut(_packetCount, _packetOffset, null, true, (ulong)_headerFill, Packet.HeaderSize) : null;
        }
    }

    /// <summary>Drops the partly framed packet (the stream ended there): the framer is on a
    /// boundary again, at the same position.</summary>
    public void Abandon()
    {
        _inPayload = false;
        _remaining = 0;
        _headerFill = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FrameEvents HeaderComplete()
    {
        _packetCount++;
        _remaining = Packet.PayloadSize(_header);
        _inPayload = _remaining > 0;
        return _inPayload ? FrameEvents.Header : FrameEvents.Header | FrameEvents.PacketEnd;
    }

    [InlineArray(Packet.HeaderSize)]
    private struct HeaderBytes
    {
        private byte _element0;
    }
}
