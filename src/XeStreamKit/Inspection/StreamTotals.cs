using XeStreamKit.Format;

namespace XeStreamKit.Inspection;

/// <summary>Counts over a whole stream.</summary>
public sealed class StreamTotals
{
    private readonly SortedDictionary<byte, (long Count, ulong Bytes)> _byType = new();

    /// <summary>Packets seen.</summary>
    public long Packets { get; private set; }

    /// <summary>Bytes in the stream (headers and payloads), set by whoever drives the reader.</summary>
    public long Bytes { get; set; }

    /// <summary>Payload bytes of VRAM packets.</summary>
    public ulong VramBytes { get; private set; }

    /// <summary>Device id from the first descriptor that has one.</summary>
    public uint? DeviceId { get; private set; }

    /// <summary>Revision id from the first descriptor that has one.</summary>
    public uint? RevisionId { get; private set; }

    /// <summary>Packets and payload bytes per type id, in type order.</summary>
    public IEnumerable<(PacketType Type, long Count, ulong Bytes)> ByType =>
        _byType.Select(kv => ((PacketType)kv.Key, kv.Value.Count, kv.Value.Bytes));

    /// <summary>Adds one packet.</summary>
    public void Add(PacketSummary summary)
    {
        var packet = summary.Packet;
        Packets++;
        var key = (byte)packet.Type;
        _byType.TryGetValue(key, out var c);
        _byType[key] = (c.Count + 1, c.Bytes + packet.PayloadSize);
        if (packet.Type == PacketType.Vram) VramBytes += packet.PayloadSize;
        if (summary.Descriptor is { } d)
        {
            DeviceId ??= d.DeviceId;
            RevisionId ??= d.RevisionId;
        }
    }
}
