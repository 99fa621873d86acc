using System.Buffers;
using XeStreamKit.Format;

namespace XeStreamKit.Writing;

/// <summary>
/// Writes a migration stream: typed packets in, bytes out. Every length is derived - the
/// header's <c>size</c> from the payload, KLV lengths from their values - and the version is
/// the spec's; nothing is filled in by hand (like binrw's <c>calc</c>). Payloads come from a
/// span, a <see cref="Stream"/>, or chunk by chunk between <see cref="BeginPacket"/> and
/// <see cref="EndPacket"/>, so a 512 MiB VRAM chunk is never held whole.
/// </summary>
/// <remarks>Small writes are coalesced in one buffer; call <see cref="Flush"/> or dispose to push them out.</remarks>
public sealed class MigrationStreamWriter : IDisposable
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private byte[]? _buffer;
    private int _buffered;
    private bool _inPacket;
    private ulong _payloadRemaining;
    private long _packetIndex = -1;

    /// <summary>Writes to <paramref name="output"/>.</summary>
    public MigrationStreamWriter(Stream output, bool leaveOpen = false, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(output));
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, Packet.HeaderSize);
        _output = output;
        _leaveOpen = leaveOpen;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>Bytes accepted so far (buffered or written).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The descriptor: DEVID and REVID KLVs (one dword each, in that order, as the driver
    /// writes them) followed by <paramref name="extra"/> KLVs. Always tile 0, GT 0, offset 0.</summary>
    public void WriteDescriptor(uint deviceId, uint revisionId, ReadOnlySpan<KlvValue> extra = default) =>
        WriteDescriptor((deviceId, revisionId), extra);

    /// <summary>A descriptor whose payload is exactly <paramref name="klvs"/> in order.</summary>
    public void WriteDescriptor(ReadOnlySpan<KlvValue> klvs) => WriteDescriptor(null, klvs);

    /// <summary>The trailer: tile 0, GT 0, offset 0, no payload.</summary>
    public void WriteTrailer() => WritePacket(PacketType.Trailer, 0, 0, ReadOnlySpan<byte>.Empty);

    /// <summary>A GGTT packet from PTE values.</summary>
    public void WriteGgtt(byte tileId, byte gtId, ReadOnlySpan<ulong> ptes)
    {
        BeginPacket(PacketType.Ggtt, tileId, gtId, (ulong)ptes.Length * GgttPayload.ElementSize);
        Span<byte> chunk = stackalloc byte[512];
        while (!ptes.IsEmpty)
        {
            var n = GgttPayload.WriteElements(ptes, chunk);
            WritePayload(chunk[..(n * GgttPayload.ElementSize)]);
            ptes = ptes[n..];
        }
        EndPacket();
    }

    /// <summary>An MMIO packet from register values.</summary>
    public void WriteMmio(byte tileId, byte gtId, ReadOnlySpan<uint> registers)
    {
        BeginPacket(PacketType.Mmio, tileId, gtId, (ulong)registers.Length * MmioPayload.ElementSize);
        Span<byte> chunk = stackalloc byte[512];
        while (!registers.IsEmpty)
        {
            var n = MmioPayload.WriteElements(registers, chunk);
            WritePayload(chunk[..(n * MmioPayload.ElementSize)]);
            registers = registers[n..];
        }
        EndPacket();
    }

    /// <summary>Any packet with the payload in <paramref name="payload"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "Two overloads in the first API baseline, told apart by the payload's type (span or stream); the optional offset is the same in both.")]
    public void WritePacket(PacketType type, byte tileId, byte gtId, ReadOnlySpan<byte> payload, ulong offset = 0)
    {
        BeginPacket(type, tileId, gtId, (ulong)payload.Length, offset);
        WritePayload(payload);
        EndPacket();
    }

    /// <summary>Any packet whose payload is the next <paramref name="length"/> bytes of <paramref name="payload"/>.</summary>
    /// <exception cref="EndOfStreamException"><paramref name="payload"/> ends early.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "Two overloads in the first API baseline, told apart by the payload's type (span or stream); the optional offset is the same in both.")]
    public void WritePacket(PacketType type, byte tileId, byte gtId, Stream payload, long length, ulong offset = 0)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        BeginPacket(type, tileId, gtId, (ulong)length, offset);
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, 1 << 20));
        try
        {
            while (_payloadRemaining > 0)
            {
                var n = payload.Read(scratch, 0, (int)Math.Min((ulong)scratch.Length, _payloadRemaining));
                if (n == 0) throw new EndOfStreamException($"The payload stream ended {_payloadRemaining} bytes short of {length}.");
                WritePayload(scratch.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        EndPacket();
    }

    /// <summary>Starts a packet of <paramref name="size"/> payload bytes, to be supplied through
    /// <see cref="WritePayload"/> before <see cref="EndPacket"/>.</summary>
    public void BeginPacket(PacketType type, byte tileId, byte gtId, ulong size, ulong offset = 0)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_inPacket) throw new InvalidOperationException($"Packet #{_packetIndex} still needs {_payloadRemaining} payload bytes.");
        var header = new PacketHeader(PacketHeader.ValidValues.Version, type, tileId, gtId, flags: 0, offset, size);
        Span<byte> bytes = stackalloc byte[Packet.HeaderSize];
        header.Write(bytes);
        _packetIndex++;
        Append(bytes);
        _inPacket = true;
        _payloadRemaining = size;
    }

    /// <summary>Writes the next bytes of the current packet's payload.</summary>
    public void WritePayload(ReadOnlySpan<byte> chunk)
    {
        if (!_inPacket) throw new InvalidOperationException("No packet is open: call BeginPacket first.");
        if ((ulong)chunk.Length > _payloadRemaining)
            throw new InvalidOperationException($"Packet #{_packetIndex} has room for {_payloadRemaining} more payload bytes, not {chunk.Length}.");
        Append(chunk);
        _payloadRemaining -= (ulong)chunk.Length;
    }

    /// <summary>Ends the current packet.</summary>
    /// <exception cref="InvalidOperationException">Payload bytes are still owed.</exception>
    public void EndPacket()
    {
        if (!_inPacket) throw new InvalidOperationException("No packet is open.");
        if (_payloadRemaining != 0) throw new InvalidOperationException($"Packet #{_packetIndex} still needs {_payloadRemaining} payload bytes.");
        _inPacket = false;
    }

    /// <summary>Writes buffered bytes to the output and flushes it.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        FlushBuffer();
        _output.Flush();
    }

    /// <summary>Flushes, then closes the output unless told to leave it open.</summary>
    public void Dispose()
    {
        if (_buffer is null) return;
        try
        {
            FlushBuffer();
            _output.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            if (!_leaveOpen) _output.Dispose();
        }
    }

    /// <summary>A descriptor: DEVID and REVID first when <paramref name="ids"/> are given, then <paramref name="klvs"/>.</summary>
    private void WriteDescriptor((uint DeviceId, uint RevisionId)? ids, ReadOnlySpan<KlvValue> klvs)
    {
        var size = ids is null ? 0 : 2 * KlvCodec.EncodedSize(1);
        foreach (var k in klvs) size += KlvCodec.EncodedSize(k.Value.Length);
        BeginPacket(PacketType.Descriptor, 0, 0, (ulong)size);
        if (ids is (var deviceId, var revisionId))
        {
            WriteKlv(KlvKey.DeviceId, new ReadOnlySpan<uint>(in deviceId));
            WriteKlv(KlvKey.RevisionId, new ReadOnlySpan<uint>(in revisionId));
        }
        foreach (var k in klvs) WriteKlv(k.Key, k.Value.Span);
        EndPacket();
    }

    private void WriteKlv(KlvKey key, ReadOnlySpan<uint> value)
    {
        const int OnStack = 256;
        var size = KlvCodec.EncodedSize(value.Length);
        byte[]? rented = null;
        var bytes = size <= OnStack ? stackalloc byte[OnStack] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            KlvCodec.Write(bytes, key, value);
            WritePayload(bytes[..size]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer!;
        if (bytes.Length > buffer.Length - _buffered)
        {
            FlushBuffer();
            if (bytes.Length >= buffer.Length)
            {
                _output.Write(bytes);
                BytesWritten += bytes.Length;
                return;
            }
        }
        bytes.CopyTo(buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
        BytesWritten += bytes.Length;
    }

    private void FlushBuffer()
    {
        if (_buffered == 0) return;
        _output.Write(_buffer!, 0, _buffered);
        _buffered = 0;
    }
}
