using XeStreamKit.Driver;
using XeStreamKit.Format;

namespace XeStreamKit.Devices.Emulated;

/// <summary>Applies what the driver model accepts to an emulated VF: GuC blob, MMIO registers,
/// GGTT PTEs re-tagged with the destination VF's id, VRAM pages.</summary>
internal sealed class EmulatedRestoreSink(EmulatedVf vf) : IRestoreSink
{
    private PacketHeader _header;
    private EmulatedVf.GtState? _gt;
    private MemoryStream? _bytes;
    private StateHash? _hash;
    private VramStore.Staging? _vram;

    public void BeginPacket(in PacketHeader header)
    {
        _header = header;
        _gt = vf.Gt(header.GtId);
        _hash = null;
        _bytes = null;
        _vram = null;
        switch (header.Type)
        {
            case PacketType.Vram:
                _vram = _gt.Vram!.Stage(header.Offset, header.Size);
                break;
            case PacketType.Guc:
                _hash = new StateHash();
                if (header.Size <= EmulatedVf.MaxKeptGucBlob) _bytes = new MemoryStream((int)header.Size);
                break;
            default:
                // GGTT (checked to be this VF's PTE array) and MMIO (16 bytes) are small.
                _bytes = new MemoryStream((int)header.Size);
                break;
        }
    }

    public void Payload(ReadOnlySpan<byte> chunk)
    {
        _vram?.Write(chunk);
        _hash?.Append(chunk);
        _bytes?.Write(chunk);
    }

    public void CommitPacket()
    {
        var gt = _gt!;
        switch (_header.Type)
        {
            case PacketType.Vram:
                _vram!.Commit();
                break;
            case PacketType.Guc:
                gt.Guc = _bytes?.ToArray();
                gt.GucLength = _header.Size;
                gt.GucDigest = _hash!.GetCurrentHash();
                break;
            case PacketType.Mmio:
                var regs = Written(_bytes!);
                for (var i = 0; i < gt.Mmio.Length; i++) gt.Mmio[i] = MmioPayload.ReadElement(regs, i);
                break;
            case PacketType.Ggtt:
                // xe_ggtt_node_load: each PTE with bits 11:2 replaced by the destination VF's id.
                var ptes = Written(_bytes!);
                for (var i = 0; i < gt.Ggtt!.Length; i++) gt.Ggtt[i] = new GgttPte(GgttPayload.ReadElement(ptes, i)).WithVfId(vf.VfId).Value;
                break;
        }
        _vram = null;
        _bytes = null;
    }

    /// <summary>The bytes written to <paramref name="bytes"/>, without copying them.</summary>
    private static ReadOnlySpan<byte> Written(MemoryStream bytes) => bytes.GetBuffer().AsSpan(0, (int)bytes.Length);

    public void AbortPacket()
    {
        _vram?.Abort();
        _vram = null;
        _bytes = null;
    }
}
