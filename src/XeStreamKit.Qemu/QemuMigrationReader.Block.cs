namespace XeStreamKit.Qemu;

public sealed partial class QemuMigrationReader
{
    private const int BlockSectorBits = 9;
    private const ulong BlockMigrationBlockSize = 1 << 20;
    private const ulong BlockFlagDeviceBlock = 0x01;
    private const ulong BlockFlagEos = 0x02;
    private const ulong BlockFlagProgress = 0x04;
    private const ulong BlockFlagZeroBlock = 0x08;

    /// <summary>
    /// Walks block migration records to BLK_MIG_FLAG_EOS (qemu/qemu
    /// migration/block.c@01371c58:blk_send, blk_mig_save_bulked_block, block_load):
    /// <code>
    ///  be64 word: high bits = sector (or progress percent) &lt;&lt; 9, low 9 bits = flags
    ///  DEVICE_BLOCK            : u8 len | device name | 1 MiB of disk data
    ///  DEVICE_BLOCK|ZERO_BLOCK : u8 len | device name
    ///  PROGRESS, EOS           : the word alone
    /// </code>
    /// Disk bytes are skipped by length, never looked at.
    /// </summary>
    private void ParseBlock(QemuSection s)
    {
        var stats = s.Block ??= new BlockSectionStats();
        var field = $"qemu {s.Label} block record";
        const ulong mask = (1UL << BlockSectorBits) - 1;
        while (true)
        {
            var at = _src.Position;
            var word = _src.ReadBe64(field);
            var flags = word & mask;
            if (flags == BlockFlagEos) break;
            if (flags == BlockFlagProgress)
            {
                stats.ProgressRecords++;
                continue;
            }
            if ((flags & ~BlockFlagZeroBlock) != BlockFlagDeviceBlock)
                throw Fail(at, field, $"0x{word:X16} has flags {Hex(flags)}, which are not a BLK_MIG_FLAG combination QEMU writes");
            var nameAt = _src.Position;
            var length = _src.ReadByte(field + " device name length");
            if (length == 0) throw Fail(nameAt, field + " device name length", "is 0; a block device name has 1 to 255 bytes");
            _src.Skip(length, field + " device name");
            if ((flags & BlockFlagZeroBlock) != 0)
            {
                stats.ZeroBlocks++;
                continue;
            }
            _src.Skip(BlockMigrationBlockSize, field + " data");
            stats.Blocks++;
        }
        s.PayloadEnd = _src.Position;
    }

    private const uint BitmapFlagEos = 0x01;
    private const uint BitmapFlagZeroes = 0x02;
    private const uint BitmapFlagBitmapName = 0x04;
    private const uint BitmapFlagDeviceName = 0x08;
    private const uint BitmapFlagStart = 0x10;
    private const uint BitmapFlagComplete = 0x20;
    private const uint BitmapFlagBits = 0x40;
    private const uint BitmapExtraFlags = 0x80;
    private const uint BitmapKnownFlags = 0x7F;

    /// <summary>Largest serialized bitmap chunk accepted (QEMU sends CHUNK_SIZE = 1 KiB, aligned).</summary>
    private const ulong MaxBitmapChunk = 1 << 20;

    /// <summary>
    /// Walks dirty bitmap chunks to DIRTY_BITMAP_MIG_FLAG_EOS (qemu/qemu
    /// migration/block-dirty-bitmap.c@01c3ac68:send_bitmap_header, send_bitmap_start,
    /// send_bitmap_bits, qemu_get_bitmap_flags, dirty_bitmap_load):
    /// <code>
    ///  flags     : u8 (0x80: one more byte follows, then a be16; QEMU sends one byte)
    ///  [u8 len | node name]     when DEVICE_NAME
    ///  [u8 len | bitmap name]   when BITMAP_NAME
    ///  START     : be32 granularity | u8 flags
    ///  COMPLETE  : nothing
    ///  BITS      : be64 first sector | be32 sectors | unless ZEROES: be64 size | size bytes
    ///  EOS       : ends the section's chunks
    /// </code>
    /// </summary>
    private void ParseDirtyBitmap(QemuSection s)
    {
        var stats = s.DirtyBitmap ??= new DirtyBitmapSectionStats();
        var field = $"qemu {s.Label} dirty bitmap chunk";
        while (true)
        {
            var at = _src.Position;
            uint flags = _src.ReadByte(field + " flags");
            if ((flags & BitmapExtraFlags) != 0)
            {
                flags = flags << 8 | _src.ReadByte(field + " flags");
                if ((flags & BitmapExtraFlags) != 0) flags = flags << 16 | _src.ReadBe16(field + " flags");
            }
            if ((flags & ~BitmapKnownFlags) != 0)
                throw Fail(at, field + " flags", $"are {Hex(flags)}; QEMU writes only DIRTY_BITMAP_MIG_FLAG_* (0x01 to 0x40)");
            if ((flags & BitmapFlagDeviceName) != 0) SkipCountedString(field + " node name");
            if ((flags & BitmapFlagBitmapName) != 0) SkipCountedString(field + " bitmap name");
            if ((flags & BitmapFlagStart) != 0)
            {
                _src.ReadBe32(field + " granularity");
                _src.ReadByte(field + " start flags");
                stats.Starts++;
            }
            else if ((flags & BitmapFlagComplete) != 0)
            {
                stats.Completes++;
            }
            else if ((flags & BitmapFlagBits) != 0)
            {
                _src.ReadBe64(field + " first sector");
                _src.ReadBe32(field + " sector count");
                stats.BitsChunks++;
                if ((flags & BitmapFlagZeroes) == 0)
                {
                    var sizeAt = _src.Position;
                    var size = _src.ReadBe64(field + " size");
                    if (size > MaxBitmapChunk) throw Fail(sizeAt, field + " size", $"is {Hex(size)}; QEMU sends bitmap chunks of about 1 KiB");
                    _src.Skip(size, field + " bits");
                }
            }
            if ((flags & BitmapFlagEos) != 0) break;
        }
        s.PayloadEnd = _src.Position;
    }

    private void SkipCountedString(string field)
    {
        var length = _src.ReadByte(field + " length");
        _src.Skip(length, field);
    }
}
