using XeStreamKit.Catalog;
using XeStreamKit.Format;

namespace XeStreamKit.Driver;

/// <summary>
/// The base of an <see cref="IRestoreObserver"/> that decorates another: every call passes on to
/// <paramref name="next"/> unless overridden (an override calls the base to pass it on), so a
/// decorator cannot drop a call by forgetting it, as it could with the interface's default
/// methods. Payload bytes pass on only for packets <paramref name="next"/> wants the payload of,
/// asked once per packet.
/// </summary>
internal abstract class ForwardingRestoreObserver(IRestoreObserver next) : IRestoreObserver
{
    private bool _nextWantsPayload;

    /// <summary>The observer the calls pass on to.</summary>
    protected IRestoreObserver Next => next;

    /// <inheritdoc/>
    public virtual void OnPacketStart(in PacketHeader header, long index, long streamOffset)
    {
        next.OnPacketStart(header, index, streamOffset);
        _nextWantsPayload = next.WantsPayload(header);
    }

    /// <inheritdoc/>
    public virtual bool WantsPayload(in PacketHeader header) => next.WantsPayload(header);

    /// <inheritdoc/>
    public virtual void OnPayload(ReadOnlySpan<byte> chunk)
    {
        if (_nextWantsPayload) next.OnPayload(chunk);
    }

    /// <inheritdoc/>
    public virtual void OnPacketEnd() => next.OnPacketEnd();

    /// <inheritdoc/>
    public virtual void OnPartialHeader(ReadOnlySpan<byte> bytes) => next.OnPartialHeader(bytes);

    /// <inheritdoc/>
    public virtual void OnViolation(RuleViolation violation) => next.OnViolation(violation);

    /// <inheritdoc/>
    public virtual void OnEnd(long streamLength) => next.OnEnd(streamLength);
}
