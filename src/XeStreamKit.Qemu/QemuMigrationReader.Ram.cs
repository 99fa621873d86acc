using System.Buffers.Binary;

namespace XeStreamKit.Qemu;

public sealed partial class QemuMigrationReader
{
    /// <summary>Largest zlib record of one page QEMU wrote (compressBound of a 64 KiB page is below this).</summary>
    private int MaxCompressedPage => 2 * _pageSize + 1024;

    /// <summary>
    /// Walks RAM records to RAM_SAVE_FLAG_EOS (migration/ram.c, <c>ram_load_precopy</c>):
    /// <code>
    ///  be64 word: high bits = offset in the block (or total size), low bits (below the page size) = flags
    ///  MEM_SIZE  : { u8 len | block name | be64 used_length | [be64 page size] [be64 GPA] }* until the total
    ///  ZERO      : [u8 len | block name unless CONTINUE] | u8 fill
    ///  PAGE      : [u8 len | block name unless CONTINUE] | page bytes
    ///  XBZRLE    : [u8 len | block name unless CONTINUE] | u8 1 | be16 len | delta
    ///  COMPRESS  : [u8 len | block name unless CONTINUE] | be32 len | zlib     (QEMU before 9.1)
    ///  MULTIFD_FLUSH, EOS : the word alone
    /// </code>
    /// Page contents are skipped by length, so bytes inside guest memory are never interpreted.
    /// </summary>
    private void ParseRam(QemuSection s)
    {
        s.Ram ??= new RamSectionStats();
        var stats = s.Ram;
        var names = new RamFieldNames($"qemu {s.Label} RAM record");
        var field = names.Record;
        if (s.Type == QemuRecordType.SectionStart && Header.Capabilities.Contains("mapped-ram"))
            throw Fail(s.PayloadOffset, field, "uses the mapped-ram layout (pages at fixed file offsets), which is not supported; migrate without the mapped-ram capability");
        var mask = (ulong)(_pageSize - 1);
        while (true)
        {
            var at = _src.Position;
            var word = _src.ReadBe64(field);
            var flags = (RamSaveFlags)(uint)(word & mask);
            var continues = (flags & RamSaveFlags.Continue) != 0;
            switch (flags & ~RamSaveFlags.Continue)
            {
                case RamSaveFlags.MemSize:
                    ReadRamBlockList(s, word & ~mask, field);
                    break;
                case RamSaveFlags.Zero:
                    SkipRamBlockName(continues, names);
                    _src.ReadByte(names.ZeroFill);
                    stats.ZeroPages++;
                    break;
                case RamSaveFlags.Page:
                    SkipRamBlockName(continues, names);
                    _src.Skip((ulong)_pageSize, names.Page);
                    stats.Pages++;
                    break;
                case RamSaveFlags.Xbzrle:
                    SkipRamBlockName(continues, names);
                    var encodingAt = _src.Position;
                    var encoding = _src.ReadByte(names.XbzrleEncoding);
                    if (encoding != 1) throw Fail(encodingAt, names.XbzrleEncoding, $"is {encoding}, expected 1 (ENCODING_FLAG_XBZRLE)");
                    var xbzrleAt = _src.Position;
                    var xbzrleLength = _src.ReadBe16(names.XbzrleLength);
                    if (xbzrleLength > _pageSize) throw Fail(xbzrleAt, names.XbzrleLength, $"is {xbzrleLength}, more than a {_pageSize}-byte page");
                    _src.Skip(xbzrleLength, names.XbzrleData);
                    stats.XbzrlePages++;
                    break;
                case RamSaveFlags.CompressPage:
                    SkipRamBlockName(continues, names);
                    var compressedAt = _src.Position;
                    var compressedLength = _src.ReadBe32(names.CompressedLength);
                    if (compressedLength > MaxCompressedPage)
                        throw Fail(compressedAt, names.CompressedLength, $"is {compressedLength}, more than zlib makes of a {_pageSize}-byte page");
                    _src.Skip(compressedLength, names.CompressedPage);
                    stats.CompressedPages++;
                    break;
                case RamSaveFlags.MultifdFlush:
                    stats.MultifdFlushes++;
                    Summary.RamMultifdFlushes++;
                    break;
                case RamSaveFlags.Eos:
                    s.PayloadEnd = _src.Position;
                    return;
                case RamSaveFlags.Hook:
                    throw Fail(at, field, "is RAM_SAVE_FLAG_HOOK (0x80): an RDMA migration channel, which is not supported");
                default:
                    throw Fail(at, field, $"0x{word:X16} has flags {Hex((ulong)flags)}, which are not a RAM_SAVE_FLAG combination QEMU writes");
            }
        }
    }

    private void SkipRamBlockName(bool continues, RamFieldNames names)
    {
        if (continues) return;
        var at = _src.Position;
        var length = _src.ReadByte(names.BlockNameLength);
        if (length == 0) throw Fail(at, names.BlockNameLength, "is 0; a RAM block name has 1 to 255 bytes");
        _src.Skip(length, names.BlockName);
    }

    /// <summary>
    /// The RAM block list of RAM_SAVE_FLAG_MEM_SIZE. After each block's used length QEMU may
    /// write a be64 page size (postcopy-ram with huge pages) and a be64 guest address
    /// (x-ignore-shared); neither is announced in the stream itself. They are told apart from what
    /// follows exactly: a block name length is never 0 (an address or page size below 2^56 starts
    /// with 0), and the RAM record after the last block always has flag bits (an address or page
    /// size is page aligned).
    /// </summary>
    private void ReadRamBlockList(QemuSection s, ulong total, string field)
    {
        var stats = s.Ram!;
        stats.TotalBytes = total;
        var remaining = total;
        var mask = (ulong)(_pageSize - 1);
        while (remaining > 0)
        {
            var nameAt = _src.Position;
            var nameLength = _src.ReadByte(field + " MEM_SIZE block name length");
            if (nameLength == 0) throw Fail(nameAt, field + " MEM_SIZE block name length", "is 0; a RAM block name has 1 to 255 bytes");
            _src.Skip(nameLength, field + " MEM_SIZE block name");
            var lengthAt = _src.Position;
            var length = _src.ReadBe64(field + " MEM_SIZE block length");
            if (length > remaining)
                throw Fail(lengthAt, field + " MEM_SIZE block length", $"{Hex(length)} exceeds the {Hex(remaining)} bytes left of the announced total {Hex(total)}");
            remaining -= length;
            stats.Blocks++;
            for (var extra = 0; extra < 2; extra++)
            {
                var next = _src.Peek(8);
                var isExtra = remaining > 0
                    ? next.Length >= 1 && next[0] == 0
                    : next.Length == 8 && (BinaryPrimitives.ReadUInt64BigEndian(next) & mask) == 0;
                if (!isExtra) break;
                _src.Skip(8, field + " MEM_SIZE block page size or address");
            }
        }
    }

    /// <summary>The field names of one RAM section's records (for errors), built once per section
    /// rather than per page.</summary>
    private sealed class RamFieldNames(string record)
    {
        public string Record { get; } = record;
        public string ZeroFill { get; } = record + " zero page fill byte";
        public string Page { get; } = record + " page";
        public string XbzrleEncoding { get; } = record + " XBZRLE encoding";
        public string XbzrleLength { get; } = record + " XBZRLE length";
        public string XbzrleData { get; } = record + " XBZRLE data";
        public string CompressedLength { get; } = record + " compressed length";
        public string CompressedPage { get; } = record + " compressed page";
        public string BlockNameLength { get; } = record + " block name length";
        public string BlockName { get; } = record + " block name";
    }

    /// <summary>True when <paramref name="word"/> is a RAM record word a PART or END can start with.</summary>
    private bool IsRamRecordWord(ulong word, bool setup)
    {
        var flags = (RamSaveFlags)(uint)(word & (ulong)(_pageSize - 1)) & ~RamSaveFlags.Continue;
        return setup
            ? flags == RamSaveFlags.MemSize
            : flags is RamSaveFlags.Zero or RamSaveFlags.Page or RamSaveFlags.Xbzrle or RamSaveFlags.CompressPage
                or RamSaveFlags.MultifdFlush or RamSaveFlags.Eos;
    }
}
