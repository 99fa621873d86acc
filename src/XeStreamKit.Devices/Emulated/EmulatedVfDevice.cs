using XeStreamKit.Driver;
using XeStreamKit.Format;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// An emulated VF as an <see cref="IMigrationDevice"/>, with the PF control rules (docs/driver.md#gt-control):
/// save and restore need the VF paused (EPERM), one at a time (EBUSY, EALREADY); resume is
/// refused while either runs (EBUSY); save can be finished only after the data was read to the
/// end (EIO, "save is still in progress").
/// </summary>
public sealed class EmulatedVfDevice(EmulatedVf vf) : IMigrationDevice, IResettable
{
    private bool _paused;
    private EmulatedSaveStream? _save;
    private KernelRestoreModel? _restore;
    private KernelRestoreModel? _lastRestore;

    /// <summary>The VF.</summary>
    public EmulatedVf Vf => vf;

    /// <inheritdoc/>
    public string Description => $"emulated {vf.Pf.Profile.Describe()} VF {vf.VfId}";

    /// <summary>The driver model of the restore in progress, else of the last one (finished or
    /// ended by a reset); null before any restore.</summary>
    public KernelRestoreModel? RestoreModel => _restore ?? _lastRestore;

    /// <inheritdoc/>
    public long? EstimateSize() => vf.Pf.SizeEstimate(vf);

    /// <inheritdoc/>
    public void Pause()
    {
        // xe_gt_sriov_pf_control_pause_vf: "VF%u was already paused!"
        if (_paused) throw new DeviceException("pause", (int)Errno.ESTALE, "the VF is already paused");
        _paused = true;
    }

    /// <inheritdoc/>
    public void Resume()
    {
        if (_save is not null || _restore is not null) throw new DeviceException("resume", (int)Errno.EBUSY, "a save or restore is in progress");
        _paused = false;
    }

    /// <inheritdoc/>
    public Stream BeginSave()
    {
        Check("save");
        if (vf.Gts.Any(g => g.Vram is { } v && v.WrittenPages > 0))
            throw new DeviceException("save", (int)Errno.EIO, "this emulated VF holds restored VRAM as digests only and cannot save it again");
        var p = vf.Pf.Profile;
        var descriptor = SavePacket.FromBytes(PacketType.Descriptor, 0, 0, DescriptorPayload(p.DeviceId, p.RevisionId));
        var trailer = SavePacket.FromBytes(PacketType.Trailer, 0, 0, []);
        return _save = new EmulatedSaveStream(descriptor, vf.Gts.Select(GtPackets), trailer);
    }

    /// <inheritdoc/>
    public void FinishSave()
    {
        if (_save is null) throw new DeviceException("finish save", (int)Errno.EINVAL, "no save is in progress");
        var done = _save.Read(new byte[1]) == 0;
        _save = null;
        if (!done) throw new DeviceException("finish save", (int)Errno.EIO, "save is still in progress: the data was not read to the end");
    }

    /// <inheritdoc/>
    public Stream BeginRestore()
    {
        Check("restore");
        _restore = new KernelRestoreModel(vf.Profile, new EmulatedRestoreSink(vf));
        if (_restore.Setup() is { } f) throw Failed(f, "enter RESUMING");
        return new RestoreWriteStream(this);
    }

    /// <inheritdoc/>
    public void FinishRestore()
    {
        var model = _restore ?? throw new DeviceException("finish restore", (int)Errno.EINVAL, "no restore is in progress");
        _restore = null;
        _lastRestore = model;
        if (model.Finish() is { } f) throw Failed(f, "RESUMING -> STOP");
    }

    /// <summary>A VF FLR: ends any save or restore (what was restored stays), the VF runs again.</summary>
    public void Reset()
    {
        if (_restore is not null) _lastRestore = _restore;
        _save = null;
        _restore = null;
        _paused = false;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _save = null;
        _restore = null;
    }

    private void Check(string operation)
    {
        if (!_paused) throw new DeviceException(operation, (int)Errno.EPERM, "the VF is not paused");
        if (_save is not null) throw new DeviceException(operation, (int)(operation == "save" ? Errno.EALREADY : Errno.EBUSY), "a save is in progress");
        if (_restore is not null) throw new DeviceException(operation, (int)(operation == "restore" ? Errno.EALREADY : Errno.EBUSY), "a restore is in progress");
    }

    internal static DeviceException Failed(RuleViolation f, string operation)
    {
        if (f.Hazard != Catalog.DriverHazard.None)
        {
            // The emulation does not pretend to crash or hang: it refuses the restore and names
            // what the real driver would do (EIO when the driver itself reports no errno).
            var packet = $"write() of packet #{f.PacketIndex} (offset 0x{f.PacketOffset:X})";
            return new DeviceException(packet, (int)(f.Errno == Errno.None ? Errno.EIO : f.Errno),
                $"refused by the emulated device, DRIVER HAZARD {f.Rule.Id}: the real driver would hit a {HazardText.Phrase(f.Hazard)} ({HazardText.Outcome(f.Hazard)} in {f.KernelFunction}): {f.Message}; then {HazardText.Aftermath(f.Hazard)}")
            { Hazard = f.Hazard };
        }
        var where = f.At == Catalog.ReportedAt.Write ? $"write() of packet #{f.PacketIndex} (offset 0x{f.PacketOffset:X})" : operation;
        var detail = f.Cause is { } c ? $"{c.Message} (packet #{c.PacketIndex})" : f.Message;
        return new DeviceException(where, (int)f.Errno, detail);
    }

    private static byte[] DescriptorPayload(uint devid, uint revid)
    {
        var payload = new byte[EmulatedPf.DescriptorPayloadBytes];
        var at = KlvCodec.Write(payload, KlvKey.DeviceId, new ReadOnlySpan<uint>(in devid));
        KlvCodec.Write(payload.AsSpan(at), KlvKey.RevisionId, new ReadOnlySpan<uint>(in revid));
        return payload;
    }

    /// <summary>One GT's packets in the worker's order GuC -> GGTT -> MMIO -> VRAM chunks.</summary>
    private IEnumerable<SavePacket> GtPackets(EmulatedVf.GtState gt)
    {
        var id = gt.Layout.Id;
        var tile = gt.Layout.TileId;
        yield return SavePacket.FromBytes(PacketType.Guc, tile, id, gt.Guc ?? throw new DeviceException("save", (int)Errno.EIO, $"GT {id}'s restored GuC state was too large to keep"));
        if (gt.Ggtt is { } ptes)
        {
            var vfId = vf.VfId;
            yield return SavePacket.Create(PacketType.Ggtt, tile, id, (ulong)ptes.Length * GgttPayload.ElementSize, (dest, offset) =>
            {
                // xe_ggtt_node_save: PTEs are stored with the VF id bits cleared.
                Span<byte> one = stackalloc byte[GgttPayload.ElementSize];
                for (var i = 0; i < dest.Length;)
                {
                    var at = offset + (ulong)i;
                    var index = (int)(at / GgttPayload.ElementSize);
                    var inPte = (int)(at % GgttPayload.ElementSize);
                    GgttPayload.WriteElement(one, 0, ptes[index] & ~GgttPte.VfIdMask);
                    var n = Math.Min(GgttPayload.ElementSize - inPte, dest.Length - i);
                    one.Slice(inPte, n).CopyTo(dest[i..]);
                    i += n;
                }
            });
        }
        var mmio = new byte[KernelRestoreModel.MmioPayloadBytes];
        MmioPayload.WriteElements(gt.Mmio, mmio);
        yield return SavePacket.FromBytes(PacketType.Mmio, tile, id, mmio);
        if (gt.Vram is { } vram)
        {
            var chunk = vf.Pf.VramChunkSize;
            Action<Span<byte>, ulong> read = vram.Read;
            for (ulong offset = 0; offset < vram.Size; offset += chunk)
                yield return SavePacket.Create(PacketType.Vram, tile, id, Math.Min(chunk, vram.Size - offset), read, offset);
        }
    }

    /// <summary>The data file in RESUMING: every write goes through the driver model.</summary>
    private sealed class RestoreWriteStream(EmulatedVfDevice device) : Stream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var model = device._restore ?? throw new DeviceException("write", (int)Errno.ENODEV, "the restore has ended");
            if (model.Write(buffer) is { } f) throw Failed(f, "write");
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => device._restore?.Position ?? 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
