namespace XeStreamKit.Format;

/// <summary>
/// What a descriptor payload says: the device and revision id (from the first DEVID and REVID
/// KLVs with a value) and the KLVs themselves, unknown keys included. At most
/// <see cref="MaxKeptKlvs"/> KLVs are kept; <see cref="KlvCount"/> counts them all.
/// </summary>
public sealed class DescriptorInfo : IKlvSink
{
    /// <summary>KLVs kept in <see cref="Klvs"/>; a descriptor never needs more than a handful.</summary>
    public const int MaxKeptKlvs = 64;

    private readonly List<KlvEntry> _klvs = new();

    /// <summary>PCI device id (DEVID KLV), if present.</summary>
    public uint? DeviceId { get; private set; }

    /// <summary>PCI revision id (REVID KLV), if present.</summary>
    public uint? RevisionId { get; private set; }

    /// <summary>The first <see cref="MaxKeptKlvs"/> KLVs in stream order.</summary>
    public IReadOnlyList<KlvEntry> Klvs => _klvs;

    /// <summary>Number of KLVs in the payload.</summary>
    public long KlvCount { get; private set; }

    void IKlvSink.OnKlv(long index, KlvHeader header, long streamOffset, ReadOnlySpan<uint> valuePrefix)
    {
        KlvCount = index + 1;
        if (_klvs.Count < MaxKeptKlvs) _klvs.Add(new KlvEntry(header.Key, header.Len, streamOffset, valuePrefix.ToArray()));
        if (valuePrefix.IsEmpty) return;
        if (header.Key == KlvKey.DeviceId) DeviceId ??= valuePrefix[0];
        else if (header.Key == KlvKey.RevisionId) RevisionId ??= valuePrefix[0];
    }
}
