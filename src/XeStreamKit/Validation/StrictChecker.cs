using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XeStreamKit.Catalog;
using XeStreamKit.Driver;
using XeStreamKit.Format;

namespace XeStreamKit.Validation;

/// <summary>
/// The <c>strict</c> profile: what a save from the driver looks like (descriptor first, trailer
/// last, per-GT order GuC -> GGTT -> MMIO -> VRAM, VRAM chunks contiguous from 0, ...). Runs as an
/// observer of the <see cref="KernelRestoreModel"/> in one pass with memory bounded by the
/// number of GTs; the kernel rules reach <paramref name="next"/> unchanged.
/// </summary>
internal sealed class StrictChecker(IRestoreObserver next, Func<TargetProfile> target) : ForwardingRestoreObserver(next)
{
    /// <summary>VF_VRAM_STATE_CHUNK_MAX_SIZE (SZ_512M).</summary>
    public const ulong MaxVramChunk = KernelRestoreModel.VramStateChunkMaxSize;

    /// <summary>Alignment xe_migrate_vram_copy_chunk asserts (4 KiB pages).</summary>
    public const ulong VramAlignment = 4096;

    private static readonly PacketType[] StageOrder = [PacketType.Guc, PacketType.Ggtt, PacketType.Mmio, PacketType.Vram];

    private sealed class GtProgress
    {
        public int Stage = -1;
        public int Guc, Ggtt, Mmio;
        public ulong NextVram;
        public bool HasVram;
    }

    private readonly Dictionary<(byte Tile, byte Gt), GtProgress> _gts = [];
    private ((byte Tile, byte Gt) Key, GtProgress Progress)? _lastGt;
    private PacketHeader _header;
    private long _index;
    private long _offset;
    private int _descriptors;
    private int _trailers;
    private long _trailerIndex = -1;
    private KlvDecoder? _klvs;
    private DescriptorShape? _shape;
    private readonly byte[] _pte = new byte[GgttPayload.ElementSize];
    private int _pteFill;
    private long _pteIndex;
    private long _vfIdPtes;
    private (long Index, ulong Value)? _firstVfIdPte;

    /// <inheritdoc/>
    public override void OnPacketStart(in PacketHeader header, long index, long streamOffset)
    {
        _header = header;
        _index = index;
        _offset = streamOffset;
        base.OnPacketStart(header, index, streamOffset);

        if (header.Flags != 0) Report(Rules.XeSFlags, PacketHeader.FieldOffsets.Flags, $"flags are 0x{header.Flags:X}, a save writes 0");
        if (header.Offset != 0 && header.Type != PacketType.Vram)
            Report(Rules.XeSOffset, PacketHeader.FieldOffsets.Offset, $"offset is 0x{header.Offset:X}; only VRAM chunks have one");
        if (_trailers > 0) Report(Rules.XeSTrlLast, 0, $"packet #{index} follows the trailer (packet #{_trailerIndex})");

        switch (header.Type)
        {
            case PacketType.Descriptor:
                if (++_descriptors > 1) Report(Rules.XeSDescFirst, 0, $"a second descriptor (packet #{index}); a save has exactly one");
                else if (index != 0) Report(Rules.XeSDescFirst, 0, $"the descriptor is packet #{index}; a save puts it first");
                if (_descriptors == 1)
                {
                    _klvs = new KlvDecoder(streamOffset + Packet.HeaderSize, keptValueDwords: 1);
                    _shape = new DescriptorShape();
                }
                return;
            case PacketType.Trailer:
                if (++_trailers > 1) Report(Rules.XeSTrlLast, 0, $"a second trailer (packet #{index}); a save has exactly one");
                _trailerIndex = index;
                break;
        }
        if (index == 0 && header.Type != PacketType.Descriptor)
            Report(Rules.XeSDescFirst, 0, $"the first packet is {PacketTypeText.Id(header.Type)}, not the descriptor");
        if (header.Type is PacketType.Trailer || !PacketTypeInfo.IsDefined(header.Type)) return;

        var gt = Progress(header);
        var layout = target().Gt(header.GtId);
        var stage = header.Type switch { PacketType.Guc => 0, PacketType.Ggtt => 1, PacketType.Mmio => 2, _ => 3 };
        if (stage < gt.Stage)
            Report(Rules.XeSGtOrder, PacketHeader.FieldOffsets.Type, $"{PacketTypeText.Display(header.Type)} after {PacketTypeText.Display(StageOrder[gt.Stage])} on GT {header.GtId}; a save sends GuC, GGTT, MMIO, VRAM");
        gt.Stage = Math.Max(gt.Stage, stage);
        var media = layout?.Kind == GtKind.Media;
        switch (header.Type)
        {
            case PacketType.Guc:
                if (++gt.Guc > 1) Report(Rules.XeSGtParts, 0, $"a second GuC packet for GT {header.GtId}");
                if (header.Size == 0 || header.Size % KlvCodec.DwordSize != 0)
                    Report(Rules.XeSGucSize, PacketHeader.FieldOffsets.Size, $"GuC blob is {header.Size} bytes, not a non-zero multiple of 4");
                break;
            case PacketType.Mmio:
                if (++gt.Mmio > 1) Report(Rules.XeSGtParts, 0, $"a second MMIO packet for GT {header.GtId}");
                break;
            case PacketType.Ggtt:
                if (++gt.Ggtt > 1) Report(Rules.XeSGtParts, 0, $"a second GGTT packet for GT {header.GtId}");
                if (media) Report(Rules.XeSGtParts, PacketHeader.FieldOffsets.GtId, $"GGTT on GT {header.GtId}, a media GT");
                if (!GgttPayload.IsWholeElements(header.Size))
                    Report(Rules.XeSGgttSize, PacketHeader.FieldOffsets.Size, $"GGTT payload is {header.Size} bytes, not a whole number of 8-byte PTEs");
                _pteFill = 0;
                _pteIndex = 0;
                _vfIdPtes = 0;
                _firstVfIdPte = null;
                break;
            case PacketType.Vram:
                if (media) Report(Rules.XeSGtParts, PacketHeader.FieldOffsets.GtId, $"VRAM on GT {header.GtId}, a media GT");
                CheckVram(header, gt);
                break;
        }
    }

    /// <inheritdoc/>
    public override bool WantsPayload(in PacketHeader header) =>
        base.WantsPayload(header) || header.Type == PacketType.Ggtt || (header.Type == PacketType.Descriptor && _klvs is not null);

    /// <inheritdoc/>
    public override void OnPayload(ReadOnlySpan<byte> chunk)
    {
        base.OnPayload(chunk);
        if (_header.Type == PacketType.Descriptor) _klvs?.Push(chunk, _shape!);
        else if (_header.Type == PacketType.Ggtt) ScanPtes(chunk);
    }

    /// <inheritdoc/>
    public override void OnPacketEnd()
    {
        if (_header.Type == PacketType.Descriptor && _klvs is not null)
        {
            _klvs.Complete();
            _shape!.Report(this);
            _klvs = null;
        }
        else if (_header.Type == PacketType.Ggtt && _vfIdPtes > 0)
            Report(Rules.XeSGgttVfid, 0, $"{_vfIdPtes} PTEs have VF id bits 11:2 set (first: PTE #{_firstVfIdPte!.Value.Index} = 0x{_firstVfIdPte.Value.Value:X16}); a save clears them");
        base.OnPacketEnd();
    }

    /// <inheritdoc/>
    public override void OnEnd(long streamLength)
    {
        _index = -1;
        _offset = streamLength;
        if (_descriptors == 0) Report(Rules.XeSDescFirst, 0, "the stream has no descriptor");
        var topology = target();
        foreach (var gt in topology.Gts)
        {
            _gts.TryGetValue((gt.TileId, gt.Id), out var p);
            if ((p?.Guc ?? 0) == 0) Report(Rules.XeSGtParts, 0, $"GT {gt.Id} has no GuC packet");
            if ((p?.Mmio ?? 0) == 0) Report(Rules.XeSGtParts, 0, $"GT {gt.Id} has no MMIO packet");
        }
        base.OnEnd(streamLength);
    }

    private GtProgress Progress(in PacketHeader header)
    {
        // VRAM chunks come in long runs for one GT: the last one looked up is usually the one.
        if (_lastGt is { } last && last.Key == (header.TileId, header.GtId)) return last.Progress;
        if (!_gts.TryGetValue((header.TileId, header.GtId), out var gt))
            _gts[(header.TileId, header.GtId)] = gt = new GtProgress();
        _lastGt = ((header.TileId, header.GtId), gt);
        return gt;
    }

    private void CheckVram(in PacketHeader header, GtProgress gt)
    {
        var size = header.Size;
        var start = header.Offset;
        var end = start + size;
        if (size > MaxVramChunk) Report(Rules.XeSVramChunk, PacketHeader.FieldOffsets.Size, $"VRAM chunk of {size} bytes exceeds 512 MiB");
        if (start % VramAlignment != 0 || size % VramAlignment != 0)
            Report(Rules.XeSVramAlign, PacketHeader.FieldOffsets.Offset, $"VRAM chunk at 0x{start:X} of {size} bytes is not 4 KiB aligned");
        if (end < start) return; // wraps: XE-VRAM-BOUNDS says so
        var expected = gt.HasVram ? gt.NextVram : 0;
        if (start != expected)
        {
            var what = start > expected ? $"leaves a gap [0x{expected:X}, 0x{start:X})" : $"starts before 0x{expected:X}, the end of the LMEM covered so far";
            Report(Rules.XeSVramContiguous, PacketHeader.FieldOffsets.Offset, $"VRAM chunk [0x{start:X}, 0x{end:X}) {what}; a save covers LMEM in order from 0");
        }
        gt.HasVram = true;
        gt.NextVram = Math.Max(expected, end);
    }

    private void ScanPtes(ReadOnlySpan<byte> chunk)
    {
        if (_pteFill > 0)
        {
            var take = Math.Min(_pte.Length - _pteFill, chunk.Length);
            chunk[..take].CopyTo(_pte.AsSpan(_pteFill));
            _pteFill += take;
            chunk = chunk[take..];
            if (_pteFill < _pte.Length) return;
            CheckPte(GgttPayload.ReadElement(_pte, 0));
            _pteFill = 0;
        }
        var whole = chunk.Length / GgttPayload.ElementSize;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // A save clears the VF id bits, so a vector of four PTEs is almost always clean: only
            // a dirty one is looked at PTE by PTE.
            var mask = Vector256.Create(GgttPte.VfIdMask);
            var ptes = MemoryMarshal.Cast<byte, ulong>(chunk[..(whole * GgttPayload.ElementSize)]);
            for (; i + 4 <= whole; i += 4)
            {
                if ((Vector256.Create(ptes.Slice(i, 4)) & mask) == Vector256<ulong>.Zero) _pteIndex += 4;
                else for (var j = i; j < i + 4; j++) CheckPte(ptes[j]);
            }
        }
        for (; i < whole; i++) CheckPte(GgttPayload.ReadElement(chunk, i));
        var rest = chunk[(whole * GgttPayload.ElementSize)..];
        rest.CopyTo(_pte);
        _pteFill = rest.Length;
    }

    private void CheckPte(ulong value)
    {
        if ((value & GgttPte.VfIdMask) != 0)
        {
            _vfIdPtes++;
            _firstVfIdPte ??= (_pteIndex, value);
        }
        _pteIndex++;
    }

    private void Report(RuleInfo rule, int headerField, string message) =>
        Next.OnViolation(new RuleViolation(rule, Errno.None, ReportedAt.None, _index, _offset + headerField, _index < 0 ? null : _header.Type, message));

    private void ReportAt(RuleInfo rule, long offset, string message) =>
        Next.OnViolation(new RuleViolation(rule, Errno.None, ReportedAt.None, _index, offset, _header.Type, message));

    /// <summary>Counts the descriptor's DEVID and REVID KLVs and their lengths.</summary>
    private sealed class DescriptorShape : IKlvSink
    {
        private int _devid, _revid;
        private (KlvKey Key, ushort Len, long Offset)? _badLength;
        private uint? _deviceId;

        public void OnKlv(long index, KlvHeader header, long streamOffset, ReadOnlySpan<uint> valuePrefix)
        {
            if (header.Key == KlvKey.DeviceId)
            {
                _devid++;
                if (valuePrefix.Length > 0) _deviceId ??= valuePrefix[0];
            }
            else if (header.Key == KlvKey.RevisionId) _revid++;
            else return;
            if (header.Len != 1) _badLength ??= (header.Key, header.Len, streamOffset);
        }

        public void Report(StrictChecker c)
        {
            var payload = c._offset + Packet.HeaderSize;
            if (_devid != 1 || _revid != 1)
                c.ReportAt(Rules.XeSDescIds, payload, $"the descriptor has {_devid} DEVID and {_revid} REVID KLVs; a save writes one of each");
            if (_badLength is { } bad)
                c.ReportAt(Rules.XeSDescIds, bad.Offset, $"{KlvKeyInfo.IdOf(bad.Key)} KLV is {bad.Len} dwords long; a save writes 1");
            if (_deviceId is { } d && DeviceCatalog.PlatformOfDevice(d) is null)
                c.ReportAt(Rules.XeSDevice, payload, $"device 0x{d:X4} is not one xe-vfio-pci binds");
        }
    }
}
