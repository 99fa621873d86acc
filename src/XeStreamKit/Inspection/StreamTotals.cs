using XeStreamKit.Format;

namespace XeStreamKit.Inspection;

/// <summary>Counts over a whole stream.</summary>
public sealed class StreamTotals
{
    private readonly PacketTally _tally = new();

    /// <summary>Packets seen.</summary>
    public long Packets => _tally.Packets;

    /// <summary>Bytes in the stream (headers and payloads), set by whoever drives the reader.</summary>
    public long Bytes { get; set; }

    /// <summary>Payload bytes of VRAM packets.</summary>
    public ulong VramBytes => _tally.BytesOf(PacketType.Vram);

    /// <summary>Device id from the first descriptor that has one.</summary>
    public uint? DeviceId { get; private set; }

    /// <summary>Revision id from the first descriptor that has one.</summary>
    public uint? RevisionId { get; private set; }

    /// <summary>Packets and payload bytes per type id, in type order.</summary>
    public IEnumerable<(PacketType Type, long Count, ulong Bytes)> ByType => _tally.ByType;

    /// <summary>Adds one packet.</summary>
    public void Add(PacketSummary summary)
    {
        var packet = summary.Packet;
        _tally.Add(packet.Type, packet.PayloadSize);
        if (summary.Descriptor is { } d)
        {
            DeviceId ??= d.DeviceId;
            RevisionId ??= d.RevisionId;
        }
    }
}
