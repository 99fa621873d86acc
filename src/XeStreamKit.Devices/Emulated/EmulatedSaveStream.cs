using XeStreamKit.Format;
using XeStreamKit.IO;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// The save side of an emulated VF with the driver's semantics (docs/format.md#save-order): the descriptor
/// first; per GT, in GT order, GuC -> GGTT -> MMIO -> VRAM chunks produced into a ring of
/// <see cref="RingSize"/> packets; the trailer once every GT is done. <c>read()</c> fills the
/// buffer unless the stream is at its end, and returns 0 at the end (and after). Packets are
/// produced lazily: a VRAM chunk is generated as it is read, never held whole.
/// </summary>
public sealed class EmulatedSaveStream : ForwardReadStream
{
    /// <summary>XE_GT_SRIOV_PF_MIGRATION_RING_SIZE.</summary>
    public const int RingSize = 5;

    private readonly Queue<SavePacket>[] _rings;
    private readonly IEnumerator<SavePacket>[] _producers;
    private readonly SavePacket _descriptor;
    private readonly SavePacket _trailer;
    private readonly byte[] _header = new byte[Packet.HeaderSize];
    private SavePacket? _current;
    private int _headerRead;
    private ulong _payloadRead;
    private bool _descriptorDone;
    private bool _trailerDone;
    private int _gt;

    internal EmulatedSaveStream(SavePacket descriptor, IEnumerable<IEnumerable<SavePacket>> perGt, SavePacket trailer)
    {
        _descriptor = descriptor;
        _trailer = trailer;
        _producers = perGt.Select(p => p.GetEnumerator()).ToArray();
        _rings = _producers.Select(_ => new Queue<SavePacket>(RingSize)).ToArray();
        for (var i = 0; i < _producers.Length; i++) Produce(i);
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Packets in the GT rings right now (at most <see cref="RingSize"/> per GT).</summary>
    public int Pending => _rings.Sum(r => r.Count);

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty)
        {
            if (_current is null && !Next()) break;
            var p = _current!;
            int n;
            if (_headerRead < Packet.HeaderSize)
            {
                n = Math.Min(Packet.HeaderSize - _headerRead, buffer.Length);
                _header.AsSpan(_headerRead, n).CopyTo(buffer);
                _headerRead += n;
            }
            else
            {
                n = (int)Math.Min((ulong)buffer.Length, p.Header.Size - _payloadRead);
                p.ReadPayload(buffer[..n], _payloadRead);
                _payloadRead += (ulong)n;
            }
            buffer = buffer[n..];
            total += n;
            if (_headerRead == Packet.HeaderSize && _payloadRead == p.Header.Size) _current = null;
        }
        BytesRead += total;
        return total;
    }

    /// <summary>pf_pick_read_packet: the descriptor, else the next GT packet, else (all GTs done) the trailer.</summary>
    private bool Next()
    {
        SavePacket? next = null;
        if (!_descriptorDone)
        {
            next = _descriptor;
            _descriptorDone = true;
        }
        else
        {
            // pf_migration_consume walks the GTs in order and returns at the first that is still
            // producing, so GT0's packets all come before GT1's (docs/format.md#gt-order).
            for (; _gt < _rings.Length && next is null; _gt++)
            {
                if (_rings[_gt].Count == 0) Produce(_gt);
                if (_rings[_gt].TryDequeue(out next))
                {
                    Produce(_gt);
                    break;
                }
            }
            if (next is null && !_trailerDone)
            {
                next = _trailer;
                _trailerDone = true;
            }
        }
        if (next is null) return false;
        _current = next;
        next.Header.Write(_header);
        _headerRead = 0;
        _payloadRead = 0;
        return true;
    }

    /// <summary>The GT worker: one packet per step while the ring has room.</summary>
    private void Produce(int gt)
    {
        while (_rings[gt].Count < RingSize && _producers[gt].MoveNext()) _rings[gt].Enqueue(_producers[gt].Current);
    }

    /// <inheritdoc/>
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
}

/// <summary>A packet produced on demand: its header now, its payload bytes when read (from
/// <paramref name="readPayload"/> at <paramref name="sourceOffset"/> + the payload offset, so one
/// reader serves every VRAM chunk and a chunk costs one small object).</summary>
internal sealed class SavePacket(PacketHeader header, Action<Span<byte>, ulong> readPayload, ulong sourceOffset = 0)
{
    public PacketHeader Header { get; } = header;

    public void ReadPayload(Span<byte> destination, ulong offset) => readPayload(destination, sourceOffset + offset);

    /// <summary>A packet as the driver writes it (the spec's version, no flags) of <paramref name="size"/>
    /// payload bytes at <paramref name="offset"/>, read from <paramref name="readPayload"/> at that offset.</summary>
    public static SavePacket Create(PacketType type, byte tile, byte gt, ulong size, Action<Span<byte>, ulong> readPayload, ulong offset = 0) =>
        new(new PacketHeader(PacketHeader.ValidValues.Version, type, tile, gt, 0, offset, size), readPayload, offset);

    public static SavePacket FromBytes(PacketType type, byte tile, byte gt, byte[] payload) =>
        Create(type, tile, gt, (ulong)payload.Length, (dest, offset) => payload.AsSpan((int)offset, dest.Length).CopyTo(dest));
}
