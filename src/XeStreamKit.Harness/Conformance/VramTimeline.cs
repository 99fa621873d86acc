using XeStreamKit.Format;
using XeStreamKit.Framing;

namespace XeStreamKit.Harness.Conformance;

/// <summary>
/// Where the time of a transfer went, packet by packet: fed every read() or write() of a save
/// or a restore in stream order with the seconds it took, it frames the bytes into packets (with
/// the <see cref="PacketFramer"/>, from the headers alone, in constant memory) and charges each call's time to the bytes it moved,
/// evenly. It keeps the VRAM bytes and their time, the slowest chunk, and the slowest fence
/// window: the chunks the driver would cut this VRAM into, each waited for under its fence
/// timeout - consecutive VRAM of one GT, contiguous in the VF's LMEM, up to
/// <see cref="FenceChunk"/> (so a driver's stream gives exactly its chunks, and small emulated
/// chunks are summed into what one driver chunk would be). Times are exact to one call: a call
/// that moves the end of one window and the start of the next splits its time by bytes.
/// </summary>
public sealed class VramTimeline
{
    /// <summary>The driver's VRAM chunk (VF_VRAM_STATE_CHUNK_MAX_SIZE, SZ_512M): the unit of its fence wait.</summary>
    public const ulong FenceChunk = Devices.Emulated.EmulatedPf.DriverVramChunk;

    /// <summary>The driver's wait for the copy of one VRAM chunk (PF_VRAM_SAVE_RESTORE_TIMEOUT,
    /// 5 * HZ); a longer copy fails the save or restore with ETIME (docs/format.md#vram).</summary>
    public static readonly TimeSpan FenceTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The least VRAM rate that moves a <see cref="FenceChunk"/> within <see cref="FenceTimeout"/>, bytes/s (about 107 MB/s).</summary>
    public static double FloorBytesPerSecond => FenceChunk / FenceTimeout.TotalSeconds;

    private PacketFramer _framer;
    private bool _inVram;
    private ulong _chunkBytes;
    private double _chunkSeconds;
    private ulong _windowBytes;
    private double _windowSeconds;
    private (byte Tile, byte Gt, ulong End) _windowAt;

    /// <summary>Bytes fed so far.</summary>
    public long Position => _framer.Position;

    /// <summary>Packets whose header was complete.</summary>
    public long Packets => _framer.PacketCount;

    /// <summary>Seconds of every call.</summary>
    public double Seconds { get; private set; }

    /// <summary>VRAM packets.</summary>
    public long VramChunks { get; private set; }

    /// <summary>VRAM payload bytes.</summary>
    public ulong VramBytes { get; private set; }

    /// <summary>Seconds charged to VRAM payload bytes.</summary>
    public double VramSeconds { get; private set; }

    /// <summary>The largest VRAM chunk.</summary>
    public ulong LargestChunk { get; private set; }

    /// <summary>The VRAM chunk that took longest: its size and seconds.</summary>
    public (ulong Bytes, double Seconds) SlowestChunk { get; private set; }

    /// <summary>The slowest fence window (at most <see cref="FenceChunk"/> of VRAM), in seconds; null without VRAM.</summary>
    public double? SlowestFenceChunkSeconds => _windowBytes > 0 ? Math.Max(_slowestWindow ?? 0, _windowSeconds) : _slowestWindow;

    private double? _slowestWindow;

    /// <summary>VRAM payload bytes per second, or null without VRAM.</summary>
    public double? VramBytesPerSecond => VramBytes == 0 || VramSeconds <= 0 ? null : VramBytes / VramSeconds;

    /// <summary>True when the bytes fed end at a packet boundary.</summary>
    public bool AtBoundary => _framer.AtBoundary;

    /// <summary>Records one call that moved <paramref name="bytes"/> in <paramref name="seconds"/>.</summary>
    public void Add(ReadOnlySpan<byte> bytes, double seconds)
    {
        Seconds += seconds;
        if (bytes.IsEmpty) return;
        var perByte = seconds / bytes.Length;
        while (!bytes.IsEmpty)
        {
            var step = _framer.Next(bytes);
            bytes = bytes[step.Consumed..];
            if (step.HeaderComplete)
            {
                var header = _framer.Header;
                var size = Packet.PayloadSize(header);
                _inVram = header.Type == PacketType.Vram;
                if (_inVram)
                {
                    // A chunk that does not continue the window's LMEM range starts a new window.
                    if (_windowBytes > 0 && _windowAt != (header.TileId, header.GtId, header.Offset)) CloseWindow();
                    _windowAt = (header.TileId, header.GtId, header.Offset + size);
                    VramChunks++;
                    LargestChunk = Math.Max(LargestChunk, size);
                    (_chunkBytes, _chunkSeconds) = (size, 0);
                    if (size == 0) EndChunk();
                }
            }
            else if (step.IsPayload && _inVram)
                ChargeVram((ulong)step.Consumed, step.Consumed * perByte);
        }
    }

    /// <summary>Throws unless the bytes fed end at a packet boundary (a whole stream was moved).</summary>
    public void Complete()
    {
        if (_framer.Cut is not { } cut) return;
        if (cut.InHeader)
            throw new MigrationStreamFormatException(cut.PacketOffset, cut.PacketIndex, null, cut.Field, $"truncated, {cut.Present} of {cut.Expected} bytes present at the end of the transfer");
        throw new MigrationStreamFormatException(Position, cut.PacketIndex, cut.Type, cut.Field, $"truncated, {cut.Expected - cut.Present} bytes missing at the end of the transfer");
    }

    private void ChargeVram(ulong bytes, double seconds)
    {
        VramBytes += bytes;
        VramSeconds += seconds;
        _chunkSeconds += seconds;
        // Split the charge at window edges, so each window holds exactly FenceChunk bytes.
        while (bytes > 0)
        {
            var room = FenceChunk - _windowBytes;
            var part = Math.Min(room, bytes);
            var partSeconds = seconds * part / bytes;
            _windowBytes += part;
            _windowSeconds += partSeconds;
            seconds -= partSeconds;
            bytes -= part;
            if (_windowBytes == FenceChunk) CloseWindow();
        }
        if (_framer.PayloadRemaining == 0) EndChunk();
    }

    private void CloseWindow()
    {
        _slowestWindow = Math.Max(_slowestWindow ?? 0, _windowSeconds);
        (_windowBytes, _windowSeconds) = (0, 0);
    }

    private void EndChunk()
    {
        if (_chunkSeconds >= SlowestChunk.Seconds) SlowestChunk = (_chunkBytes, _chunkSeconds);
        _inVram = false;
    }
}
