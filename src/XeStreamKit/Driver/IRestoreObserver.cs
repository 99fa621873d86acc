using XeStreamKit.Catalog;
using XeStreamKit.Format;

namespace XeStreamKit.Driver;

/// <summary>Watches a <see cref="KernelRestoreModel"/>: the packets it frames and the rules
/// streams break. Validators are observers; nothing here changes the outcome. An observer that
/// passes the calls on to another derives from <see cref="ForwardingRestoreObserver"/>.</summary>
public interface IRestoreObserver
{
    /// <summary>A header is complete.</summary>
    void OnPacketStart(in PacketHeader header, long index, long streamOffset) { }

    /// <summary>True when the observer needs the payload bytes of this packet; otherwise the
    /// bytes may be skipped without being read.</summary>
    bool WantsPayload(in PacketHeader header) => false;

    /// <summary>Payload bytes of the current packet (only when <see cref="WantsPayload"/> said so).</summary>
    void OnPayload(ReadOnlySpan<byte> chunk) { }

    /// <summary>The current packet is complete.</summary>
    void OnPacketEnd() { }

    /// <summary>The stream ended inside a header: the <paramref name="bytes"/> of it that were
    /// written (the driver never dispatches them).</summary>
    void OnPartialHeader(ReadOnlySpan<byte> bytes) { }

    /// <summary>A rule is broken (errors and warnings alike).</summary>
    void OnViolation(RuleViolation violation) { }

    /// <summary>The stream ended at <paramref name="streamLength"/> bytes.</summary>
    void OnEnd(long streamLength) { }
}
