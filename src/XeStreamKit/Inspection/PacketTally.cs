using XeStreamKit.Format;

namespace XeStreamKit.Inspection;

/// <summary>Packets and payload bytes per type, in constant memory (one slot per type id).</summary>
internal sealed class PacketTally
{
    private readonly (long Count, ulong Bytes)[] _byType = new (long, ulong)[256];

    /// <summary>Packets counted.</summary>
    public long Packets { get; private set; }

    /// <summary>Counts one packet of <paramref name="type"/> with <paramref name="payloadBytes"/> of payload.</summary>
    public void Add(PacketType type, ulong payloadBytes)
    {
        ref var c = ref _byType[(byte)type];
        c = (c.Count + 1, c.Bytes + payloadBytes);
        Packets++;
    }

    /// <summary>Payload bytes of the packets of <paramref name="type"/>.</summary>
    public ulong BytesOf(PacketType type) => _byType[(byte)type].Bytes;

    /// <summary>Packets and payload bytes per type seen, in type order.</summary>
    public IReadOnlyList<(PacketType Type, long Count, ulong Bytes)> ByType =>
        Enumerable.Range(0, _byType.Length).Where(t => _byType[t].Count > 0).Select(t => ((PacketType)t, _byType[t].Count, _byType[t].Bytes)).ToList();
}
