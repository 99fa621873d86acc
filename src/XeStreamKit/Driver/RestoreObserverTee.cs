using XeStreamKit.Catalog;
using XeStreamKit.Format;

namespace XeStreamKit.Driver;

/// <summary>Passes every call to two observers, in order; each gets the payloads it asks for.</summary>
internal sealed class RestoreObserverTee(IRestoreObserver first, IRestoreObserver second) : IRestoreObserver
{
    private bool _firstWants;
    private bool _secondWants;

    /// <inheritdoc/>
    public void OnPacketStart(in PacketHeader header, long index, long streamOffset)
    {
        first.OnPacketStart(header, index, streamOffset);
        second.OnPacketStart(header, index, streamOffset);
        _firstWants = first.WantsPayload(header);
        _secondWants = second.WantsPayload(header);
    }

    /// <inheritdoc/>
    public bool WantsPayload(in PacketHeader header) => first.WantsPayload(header) || second.WantsPayload(header);

    /// <inheritdoc/>
    public void OnPayload(ReadOnlySpan<byte> chunk)
    {
        if (_firstWants) first.OnPayload(chunk);
        if (_secondWants) second.OnPayload(chunk);
    }

    /// <inheritdoc/>
    public void OnPacketEnd()
    {
        first.OnPacketEnd();
        second.OnPacketEnd();
    }

    /// <inheritdoc/>
    public void OnPartialHeader(ReadOnlySpan<byte> bytes)
    {
        first.OnPartialHeader(bytes);
        second.OnPartialHeader(bytes);
    }

    /// <inheritdoc/>
    public void OnViolation(RuleViolation violation)
    {
        first.OnViolation(violation);
        second.OnViolation(violation);
    }

    /// <inheritdoc/>
    public void OnEnd(long streamLength)
    {
        first.OnEnd(streamLength);
        second.OnEnd(streamLength);
    }
}
