using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// An emulated VF's local memory without holding it: a page never written has the bytes
/// <see cref="SeededBytes"/> makes from the VF's seed; a page written by a restore keeps only
/// its XXH3-64 digest (8 bytes per 4 KiB page). Multi-GiB VRAM needs neither that much RAM nor
/// disk, and two VFs are compared by digest.
/// </summary>
public sealed class VramStore
{
    /// <summary>Granularity of the store (the GPU page).</summary>
    public const int PageSize = 4096;

    private readonly ulong _seed;
    private readonly BitArray? _written;
    private readonly ulong[]? _digests;

    /// <summary>The largest LMEM the store emulates: one bit per page in a <see cref="BitArray"/>.</summary>
    public const ulong MaxSize = (ulong)int.MaxValue * PageSize;

    /// <summary>LMEM of <paramref name="size"/> bytes (a multiple of 4 KiB) filled from <paramref name="seed"/>.</summary>
    public VramStore(ulong size, ulong seed)
    {
        if (size % PageSize != 0) throw new ArgumentException("LMEM size must be a multiple of 4 KiB.", nameof(size));
        Size = size;
        _seed = seed;
        var pages = size / PageSize;
        if (pages > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(size), "LMEM is too large to emulate.");
        if (pages > 0)
        {
            _written = new BitArray((int)pages);
            _digests = new ulong[pages];
        }
    }

    /// <summary>Size in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Digest of a page whose content the emulation lost: part of it was restored with
    /// an unaligned chunk over a page only known by digest. It matches no real page.</summary>
    public const ulong UnknownPageDigest = ulong.MaxValue;

    /// <summary>Pages holding restored data.</summary>
    public long WrittenPages { get; private set; }

    /// <summary>True when [offset, offset + length) holds only seeded bytes (it can be read back).</summary>
    public bool IsSeeded(ulong offset, ulong length)
    {
        if (WrittenPages == 0 || length == 0) return true;
        for (var p = offset / PageSize; p <= (offset + length - 1) / PageSize; p++)
            if (_written![(int)p]) return false;
        return true;
    }

    /// <summary>Reads seeded bytes; a range that a restore wrote cannot be read back.</summary>
    public void Read(Span<byte> destination, ulong offset)
    {
        if (!IsSeeded(offset, (ulong)destination.Length))
            throw new InvalidOperationException($"LMEM at 0x{offset:X} holds restored data this emulation keeps only as a digest.");
        SeededBytes.Fill(destination, _seed, offset);
    }

    /// <summary>Digest of page <paramref name="page"/>.</summary>
    public ulong PageDigest(ulong page)
    {
        if (_written![(int)page]) return _digests![page];
        Span<byte> bytes = stackalloc byte[PageSize];
        SeededBytes.Fill(bytes, _seed, page * PageSize);
        return StateHash.Hash(bytes);
    }

    /// <summary>Digest of the whole LMEM: XXH3-64 over the page digests in address order.</summary>
    public ulong Digest()
    {
        var h = new StateHash(0x5652414D);
        for (ulong p = 0; p < Size / PageSize; p++) h.Append(PageDigest(p));
        return h.GetCurrentHash();
    }

    /// <summary>Starts staging a restored chunk at <paramref name="offset"/>; nothing changes until <see cref="Staging.Commit"/>.</summary>
    /// <remarks>One chunk is staged at a time (the driver applies packets one by one): the
    /// staging object is reused, so a restore of many small chunks allocates nothing per chunk,
    /// and staging a chunk drops one still staged (a restore abandoned midway).</remarks>
    public Staging Stage(ulong offset, ulong length)
    {
        _staging ??= new Staging(this);
        _staging.Begin(offset, length);
        return _staging;
    }

    private Staging? _staging;

    /// <summary>A restored chunk being received: pages are hashed as their bytes arrive (whole
    /// pages where they lie in the caller's buffer, without a copy) and applied together when the
    /// driver would apply the packet.</summary>
    public sealed class Staging
    {
        private readonly VramStore _store;
        private readonly byte[] _page = new byte[PageSize];
        private ulong _offset;
        private ulong _end;
        private ulong _firstPage;
        private ulong[] _digests = [];
        private int _pages;
        private ulong _position;
        private ulong _pageIndex;
        private int _pageFill;
        private bool _pageUnknown;
        private bool _active;

        internal Staging(VramStore store) => _store = store;

        internal void Begin(ulong offset, ulong length)
        {
            _active = true;
            _offset = offset;
            _end = offset + length;
            _position = offset;
            _firstPage = offset / PageSize;
            _pages = 0;
            _pageFill = 0;
            var pages = length == 0 ? 0 : (int)((_end - 1) / PageSize - _firstPage + 1);
            if (_digests.Length < pages)
            {
                // Kept for the next chunk: a 512 MiB chunk needs 1 MiB of page digests.
                if (_digests.Length > 0) ArrayPool<ulong>.Shared.Return(_digests);
                _digests = ArrayPool<ulong>.Shared.Rent(pages);
            }
            BeginPage(_firstPage);
        }

        /// <summary>The next bytes of the chunk.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(ReadOnlySpan<byte> chunk)
        {
            if (!_active) throw new InvalidOperationException("No VRAM chunk is staged.");
            while (!chunk.IsEmpty)
            {
                var inPage = (int)(_position % PageSize);
                if (inPage == 0 && chunk.Length >= PageSize && _position + PageSize <= _end)
                {
                    // Whole pages inside the chunk: hashed in place.
                    var whole = (int)Math.Min((ulong)(chunk.Length / PageSize), (_end - _position) / PageSize);
                    for (var i = 0; i < whole; i++) _digests[_pages++] = StateHash.Hash(chunk.Slice(i * PageSize, PageSize));
                    chunk = chunk[(whole * PageSize)..];
                    _position += (ulong)whole * PageSize;
                    if (_position < _end) BeginPage(_pageIndex + (ulong)whole);
                    continue;
                }
                var take = Math.Min(PageSize - inPage, chunk.Length);
                chunk[..take].CopyTo(_page.AsSpan(inPage));
                chunk = chunk[take..];
                _position += (ulong)take;
                _pageFill = inPage + take;
                if (_pageFill == PageSize) FinishPage();
            }
        }

        /// <summary>Applies the chunk.</summary>
        public void Commit()
        {
            if (!_active) throw new InvalidOperationException("No VRAM chunk is staged.");
            if (_pageFill > 0 && _position == _end) FinishPage();
            for (var i = 0; i < _pages; i++)
            {
                var page = _firstPage + (ulong)i;
                var digest = _digests[i];
                if (!_store._written![(int)page])
                {
                    _store._written[(int)page] = true;
                    _store.WrittenPages++;
                }
                _store._digests![page] = digest;
            }
            _active = false;
        }

        /// <summary>Drops the chunk.</summary>
        public void Abort() => _active = false;

        private void BeginPage(ulong page)
        {
            _pageIndex = page;
            _pageUnknown = false;
            _pageFill = 0;
            // A chunk that does not start or end on a page boundary merges with what the page held.
            var pageStart = page * PageSize;
            if (_offset > pageStart || _end < pageStart + PageSize) Prefill(page);
        }

        private void Prefill(ulong page)
        {
            if (page >= _store.Size / PageSize) return;
            if (_store._written![(int)page]) _pageUnknown = true;
            else SeededBytes.Fill(_page.AsSpan(0, PageSize), _store._seed, page * PageSize);
        }

        private void FinishPage()
        {
            _digests[_pages++] = _pageUnknown ? UnknownPageDigest : StateHash.Hash(_page.AsSpan(0, PageSize));
            _pageFill = 0;
            if (_position < _end) BeginPage(_pageIndex + 1);
        }
    }
}
