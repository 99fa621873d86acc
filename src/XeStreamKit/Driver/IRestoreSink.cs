using XeStreamKit.Format;

namespace XeStreamKit.Driver;

/// <summary>
/// Receives the GT state the driver would apply (GGTT, MMIO, GuC, VRAM) from a
/// <see cref="KernelRestoreModel"/>: a packet's bytes stream in as they are written and are
/// committed only when the driver would apply them; a packet that never completes is aborted.
/// </summary>
public interface IRestoreSink
{
    /// <summary>A packet the driver will apply once it is complete.</summary>
    void BeginPacket(in PacketHeader header);

    /// <summary>Its next payload bytes.</summary>
    void Payload(ReadOnlySpan<byte> chunk);

    /// <summary>The packet is complete and applied.</summary>
    void CommitPacket();

    /// <summary>The packet will never complete (the stream ended inside it).</summary>
    void AbortPacket();
}
