using System.Runtime.CompilerServices;
using XeStreamKit.Cli.Plumbing;
using System.Runtime.InteropServices;
using System.Numerics;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Report;

/// <summary>One row of the report: a packet, or a run of VRAM chunks of one GT that continue each
/// other in LMEM (a 2 TiB save is then a handful of rows).</summary>
internal sealed class PacketRow
{
    public long FirstIndex;
    public long LastIndex;
    public long StreamOffset;
    public long StreamEnd;
    public PacketHeader Header;
    public ulong PayloadBytes;
    public ulong LmemStart;
    public ulong LmemEnd;
    public Severity? Worst;
    public bool Truncated;

    /// <summary>Size of the run's first chunk; with <see cref="Uniform"/>, of every chunk but the last.</summary>
    public ulong ChunkBytes;
    public ulong LastChunkBytes;
    public bool Uniform = true;

    public long Count => LastIndex - FirstIndex + 1;

    public bool IsRun => Count > 1;

    public string Anchor => $"p{FirstIndex}";

    public bool IsVram => Header.Type == PacketType.Vram;
}

/// <summary>What the GGTT payloads of one GT hold.</summary>
internal sealed class GgttSummary
{
    public byte Tile;
    public byte Gt;
    public long PacketIndex;
    public long Ptes;
    public long Present;
    public long LocalMemory;
    public long WithVfId;
    /// <summary>The first VF ids seen (at most <see cref="MaxVfIds"/>), in order of appearance.</summary>
    public readonly uint[] VfIds = new uint[MaxVfIds];
    public int VfIdCount;
    public bool MoreVfIds;
    public const int MaxVfIds = 8;
    public int PartialBytes;
}

/// <summary>The bytes around a diagnostic's offset: up to three 16-byte lines, those not seen unknown.</summary>
internal sealed class HexExcerpt(long start, int length, long focus)
{
    public long Start { get; } = start;
    public long Focus { get; } = focus;
    public byte[] Bytes { get; } = new byte[length];
    public bool[] Known { get; } = new bool[length];

    public bool AnyKnown => Known.Any(k => k);

    /// <summary>Copies what of <paramref name="bytes"/> (at absolute <paramref name="at"/>) falls inside.</summary>
    public void Fill(long at, ReadOnlySpan<byte> bytes)
    {
        var from = Math.Max(at, Start);
        var to = Math.Min(at + bytes.Length, Start + Bytes.Length);
        for (var o = from; o < to; o++)
        {
            Bytes[o - Start] = bytes[(int)(o - at)];
            Known[o - Start] = true;
        }
    }
}

/// <summary>
/// Watches the validation pass (<see cref="ValidationOptions.Watcher"/>) and keeps what the report
/// draws, in memory bounded whatever the stream: packet rows (VRAM chunks merged into runs, at
/// most <see cref="MaxRows"/>), per-tile LMEM coverage and overlaps, per-GT GGTT counts, and a
/// short hex excerpt at each diagnostic's offset, taken from the bytes of this same pass (headers
/// and the first bytes of payloads the pass reads; VRAM payloads stay unread).
/// </summary>
internal sealed class StreamRecorder(Profile profile) : IRestoreObserver
{
    /// <summary>Rows drawn and listed; the rest of a pathological stream is counted.</summary>
    public const int MaxRows = 400;

    /// <summary>Diagnostics that get a hex excerpt.</summary>
    public const int MaxExcerpts = 64;

    /// <summary>Payload bytes of each packet kept for excerpts (descriptor KLVs, MMIO, first PTEs).</summary>
    private const int PayloadPrefix = 128;

    /// <summary>Payloads larger than this are not asked for (so seeking over them stays possible),
    /// except GGTT, counted PTE by PTE (8 MiB for the largest GGTT a VF gets).</summary>
    private const ulong MaxWantedPayload = 1 << 20;

    private const int ExcerptBefore = 16;
    private const int ExcerptLength = 48;

    private readonly List<PacketRow> _rows = [];
    private readonly Dictionary<byte, IntervalSet> _coverage = [];
    private readonly Dictionary<byte, IntervalSet> _overlaps = [];
    // Lists searched linearly: a few GTs, at most MaxExcerpts excerpts.
    private readonly List<GgttSummary> _ggtt = [];
    private readonly List<HexExcerpt> _excerpts = [];
    private readonly List<HexExcerpt> _pending = [];
    private readonly byte[] _header = new byte[Packet.HeaderSize];
    private readonly byte[] _prefix = new byte[PayloadPrefix];
    private readonly byte[] _pte = new byte[GgttPayload.ElementSize];
    private int _prefixFill;
    private PacketHeader _current;
    private long _currentIndex = -1;
    private long _currentOffset;
    private ulong _payloadSeen;
    private PacketRow? _currentRow;
    private GgttSummary? _currentGgtt;

    public IReadOnlyList<PacketRow> Rows => _rows;

    /// <summary>Packets past <see cref="MaxRows"/>, counted but not drawn.</summary>
    public long PacketsNotDrawn { get; private set; }

    /// <summary>Stream bytes of those packets.</summary>
    public long BytesNotDrawn { get; private set; }

    /// <summary>Index of the first packet not drawn, or -1.</summary>
    public long FirstNotDrawn { get; private set; } = -1;

    /// <summary>The stream's length once it ended.</summary>
    public long StreamLength { get; private set; }

    /// <summary>Bytes of a header the stream ends inside, or 0.</summary>
    public int PartialHeaderBytes { get; private set; }

    public IReadOnlyDictionary<byte, IntervalSet> Coverage => _coverage;

    public IReadOnlyDictionary<byte, IntervalSet> Overlaps => _overlaps;

    /// <summary>Per GT, in stream order of their first GGTT packet.</summary>
    public IReadOnlyList<GgttSummary> Ggtt => _ggtt;

    /// <summary>The excerpt at <paramref name="streamOffset"/>, when one was taken.</summary>
    public HexExcerpt? ExcerptAt(long streamOffset) => _excerpts.Find(e => e.Focus == streamOffset);

    /// <summary>The row holding packet <paramref name="index"/>, or null when it is not drawn.</summary>
    public PacketRow? RowOf(long index)
    {
        int lo = 0, hi = _rows.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var r = _rows[mid];
            if (index < r.FirstIndex) hi = mid - 1;
            else if (index > r.LastIndex) lo = mid + 1;
            else return r;
        }
        return null;
    }

    public void OnPacketStart(in PacketHeader header, long index, long streamOffset)
    {
        _current = header;
        _currentIndex = index;
        _currentOffset = streamOffset;
        _payloadSeen = 0;
        _prefixFill = 0;
        header.Write(_header);
        _currentRow = AddRow(header, index, streamOffset);
        if (header.Type == PacketType.Vram) Cover(header);
        _currentGgtt = null;
        if (header.Type == PacketType.Ggtt && WantsPayload(header))
        {
            var (tile, gt) = (header.TileId, header.GtId);
            var g = _ggtt.Find(x => x.Tile == tile && x.Gt == gt);
            if (g is null) _ggtt.Add(g = new GgttSummary { Tile = tile, Gt = gt, PacketIndex = index });
            g.PartialBytes = 0;
            _currentGgtt = g;
        }
    }

    public bool WantsPayload(in PacketHeader header) => header.Type == PacketType.Ggtt || (header.Type != PacketType.Vram && header.Size <= MaxWantedPayload);

    public void OnPayload(ReadOnlySpan<byte> chunk)
    {
        if (_prefixFill < _prefix.Length)
        {
            var take = Math.Min(chunk.Length, _prefix.Length - _prefixFill);
            chunk[..take].CopyTo(_prefix.AsSpan(_prefixFill));
            _prefixFill += take;
        }
        if (_currentGgtt is { } g) CountPtes(g, chunk);
        _payloadSeen += (ulong)chunk.Length;
    }

    public void OnPacketEnd()
    {
        var payloadAt = _currentOffset + Packet.HeaderSize;
        foreach (var e in _pending)
        {
            e.Fill(_currentOffset, _header);
            e.Fill(payloadAt, _prefix.AsSpan(0, _prefixFill));
        }
        _pending.Clear();
    }

    public void OnPartialHeader(ReadOnlySpan<byte> bytes)
    {
        PartialHeaderBytes = bytes.Length;
        var at = _currentIndex < 0 ? 0 : _currentOffset + Packet.HeaderSize + (long)_current.Size;
        foreach (var e in _pending) e.Fill(at, bytes);
        _pending.Clear();
    }

    public void OnViolation(RuleViolation violation)
    {
        if (!violation.Rule.AppliesTo(profile)) return;
        var severity = violation.Rule.SeverityIn(profile);
        if (severity == Severity.Info) return;
        if (violation.PacketIndex >= 0 && violation.PacketIndex == _currentIndex && _currentRow is { } row)
        {
            // A flagged packet gets a row of its own, even inside a run of VRAM chunks.
            if (row.IsRun && row.LastIndex == _currentIndex) row = SplitLast(row);
            if (row.Worst is null || severity > row.Worst) row.Worst = severity;
        }
        if (_excerpts.Count >= MaxExcerpts || ExcerptAt(violation.StreamOffset) is not null) return;
        var start = Math.Max(violation.PacketOffset, (violation.StreamOffset & ~15L) - ExcerptBefore);
        var excerpt = new HexExcerpt(Math.Max(0, start), ExcerptLength, violation.StreamOffset);
        _excerpts.Add(excerpt);
        // Bytes of the current packet (or of a header the stream ends inside) are still to come;
        // those of a packet already past were not kept.
        if (violation.PacketIndex < 0 || violation.PacketIndex >= _currentIndex) _pending.Add(excerpt);
    }

    public void OnEnd(long streamLength)
    {
        StreamLength = streamLength;
        if (_currentRow is { } row && _currentIndex >= 0 && _currentOffset + Packet.HeaderSize + (long)_current.Size > streamLength)
        {
            row.Truncated = true;
            row.StreamEnd = streamLength;
        }
        OnPacketEnd();
    }

    private PacketRow? AddRow(in PacketHeader header, long index, long streamOffset)
    {
        var end = streamOffset + Packet.HeaderSize + (long)Math.Min(header.Size, long.MaxValue / 2);
        if (header.Type == PacketType.Vram && _rows.Count > 0 && _rows[^1] is { IsVram: true, Worst: null, Truncated: false } last
            && last.LastIndex == index - 1 && last.Header.TileId == header.TileId && last.Header.GtId == header.GtId
            && last.Header.Version == header.Version && last.Header.Flags == header.Flags
            && header.Offset == last.LmemEnd && header.Offset + header.Size > header.Offset)
        {
            if (last.LastChunkBytes != last.ChunkBytes) last.Uniform = false;
            last.LastChunkBytes = header.Size;
            last.LastIndex = index;
            last.StreamEnd = end;
            last.PayloadBytes += header.Size;
            last.LmemEnd = header.Offset + header.Size;
            return last;
        }
        if (_rows.Count >= MaxRows)
        {
            if (FirstNotDrawn < 0) FirstNotDrawn = index;
            PacketsNotDrawn++;
            BytesNotDrawn += end - streamOffset;
            return null;
        }
        var row = new PacketRow
        {
            FirstIndex = index, LastIndex = index, StreamOffset = streamOffset, StreamEnd = end, Header = header, PayloadBytes = header.Size,
            LmemStart = header.Offset, LmemEnd = header.Offset + header.Size, ChunkBytes = header.Size, LastChunkBytes = header.Size,
        };
        _rows.Add(row);
        return row;
    }

    /// <summary>Takes the last chunk of a run into a row of its own.</summary>
    private PacketRow SplitLast(PacketRow run)
    {
        run.LastIndex--;
        run.StreamEnd = _currentOffset;
        run.PayloadBytes -= _current.Size;
        run.LmemEnd = _current.Offset;
        run.LastChunkBytes = run.ChunkBytes; // unknown; the boundaries are drawn only when every chunk but the last has ChunkBytes
        if (run.Count > 1 && (run.LmemEnd - run.LmemStart) % run.ChunkBytes != 0) run.Uniform = false;
        var row = new PacketRow
        {
            FirstIndex = _currentIndex, LastIndex = _currentIndex, StreamOffset = _currentOffset,
            StreamEnd = _currentOffset + Packet.HeaderSize + (long)_current.Size, Header = _current, PayloadBytes = _current.Size,
            LmemStart = _current.Offset, LmemEnd = _current.Offset + _current.Size, ChunkBytes = _current.Size, LastChunkBytes = _current.Size,
        };
        _rows.Add(row);
        _currentRow = row;
        return row;
    }

    /// <summary>Adds a chunk to its tile's coverage; what it covers twice goes to the overlaps.</summary>
    private void Cover(in PacketHeader header)
    {
        var start = header.Offset;
        var end = start + header.Size;
        if (end <= start) return;
        if (!_coverage.TryGetValue(header.TileId, out var set)) _coverage[header.TileId] = set = new IntervalSet();
        var ranges = set.Ranges;
        if (ranges.Count > 0 && start < ranges[^1].End)
        {
            foreach (var (s, e) in ranges)
            {
                var from = Math.Max(s, start);
                var to = Math.Min(e, end);
                if (from >= to) continue;
                if (!_overlaps.TryGetValue(header.TileId, out var o)) _overlaps[header.TileId] = o = new IntervalSet();
                o.Add(from, to);
            }
        }
        set.Add(start, end);
    }

    private void CountPtes(GgttSummary g, ReadOnlySpan<byte> chunk)
    {
        if (g.PartialBytes > 0)
        {
            var take = Math.Min(_pte.Length - g.PartialBytes, chunk.Length);
            chunk[..take].CopyTo(_pte.AsSpan(g.PartialBytes));
            g.PartialBytes += take;
            chunk = chunk[take..];
            if (g.PartialBytes < _pte.Length) return;
            Count(g, new GgttPte(GgttPayload.ReadElement(_pte, 0)));
            g.PartialBytes = 0;
        }
        var whole = chunk.Length / GgttPayload.ElementSize;
        var i = BitConverter.IsLittleEndian ? CountClean(g, MemoryMarshal.Cast<byte, ulong>(chunk[..(whole * GgttPayload.ElementSize)])) : 0;
        for (; i < whole; i++) Count(g, new GgttPte(GgttPayload.ReadElement(chunk, i)));
        var rest = chunk[(whole * GgttPayload.ElementSize)..];
        rest.CopyTo(_pte);
        g.PartialBytes = rest.Length;
    }

    /// <summary>Counts <paramref name="ptes"/> (little-endian, as in the payload) a vector at a
    /// time: a save clears the VF id bits, so a vector whose PTEs all have them clear needs only
    /// its present and DM bits summed; any other goes PTE by PTE (<see cref="Count"/>), which
    /// keeps the VF ids in order of appearance. Returns how many PTEs were counted (whole vectors).
    /// The per-PTE loop cost ~50 ns a PTE: 6 ms for the 131072 PTEs of a 512 MiB GGTT. Compiled
    /// optimised at once: under the JIT its first (tier-0) code made the Vector calls real calls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountClean(GgttSummary g, ReadOnlySpan<ulong> ptes)
    {
        var i = 0;
        if (!Vector.IsHardwareAccelerated) return i;
        var vfId = new Vector<ulong>(GgttPte.VfIdMask);
        var presentBit = new Vector<ulong>(GgttPte.PresentBit);
        var localBit = new Vector<ulong>(GgttPte.LocalMemoryBit);
        Vector<ulong> present = default, local = default;
        long clean = 0;
        for (; i + Vector<ulong>.Count <= ptes.Length; i += Vector<ulong>.Count)
        {
            var v = new Vector<ulong>(ptes.Slice(i, Vector<ulong>.Count));
            if (Vector.EqualsAll(v & vfId, Vector<ulong>.Zero))
            {
                // A lane that has the bit compares equal: all ones, i.e. minus one.
                present -= Vector.Equals(v & presentBit, presentBit);
                local -= Vector.Equals(v & localBit, localBit);
                clean += Vector<ulong>.Count;
            }
            else for (var j = i; j < i + Vector<ulong>.Count; j++) Count(g, new GgttPte(ptes[j]));
        }
        g.Present += (long)Vector.Sum(present);
        g.LocalMemory += (long)Vector.Sum(local);
        g.Ptes += clean;
        return i;
    }

    private static void Count(GgttSummary g, GgttPte pte)
    {
        g.Ptes++;
        if (pte.Present) g.Present++;
        if (pte.LocalMemory) g.LocalMemory++;
        if (pte.VfId == 0) return;
        g.WithVfId++;
        if (Array.IndexOf(g.VfIds, pte.VfId, 0, g.VfIdCount) >= 0) return;
        if (g.VfIdCount < GgttSummary.MaxVfIds) g.VfIds[g.VfIdCount++] = pte.VfId;
        else g.MoreVfIds = true;
    }
}
