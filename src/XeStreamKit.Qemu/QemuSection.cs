using System.Globalization;

namespace XeStreamKit.Qemu;

/// <summary>Which handler a section belongs to, which decides how its payload is walked.</summary>
public enum QemuHandlerKind
{
    /// <summary>Not a section (a command record).</summary>
    None,
    /// <summary>The "ram" live handler: RAM records, parsed exactly.</summary>
    Ram,
    /// <summary>A VFIO device's live handler (START/PART/END): VFIO tags, parsed exactly.</summary>
    Vfio,
    /// <summary>A VFIO device's config (FULL): the tags are parsed; the vfio-pci vmstate between them is delimited by QEMU's JSON description, or scanned without one.</summary>
    VfioConfig,
    /// <summary>The "block" live handler (block migration): its records, parsed exactly.</summary>
    Block,
    /// <summary>The "dirty-bitmap" live handler (block dirty bitmaps): its chunks, parsed exactly.</summary>
    DirtyBitmap,
    /// <summary>Anything else: a FULL vmstate (walked with QEMU's JSON description when the stream
    /// has one, else scanned) or a live handler this reader does not know (scanned).</summary>
    Other,
}

/// <summary>How the end of a section's payload was found.</summary>
public enum QemuDelimitation
{
    /// <summary>The payload was parsed record by record: the end is exact.</summary>
    Parsed,
    /// <summary>The payload has no length: its end is the next plausible record boundary (see
    /// <see cref="QemuMigrationReader"/> for the rules). Reported, never silently trusted.</summary>
    Scanned,
    /// <summary>A FULL vmstate walked field by field with QEMU's JSON vmstate description: exact.</summary>
    Described,
}

/// <summary>
/// One record of a QEMU migration stream: a START/PART/END/FULL section or a COMMAND, with its
/// absolute offsets. Filled while the reader walks it; complete once the reader has moved past it
/// (<see cref="IsComplete"/>).
/// </summary>
public sealed class QemuSection
{
    internal QemuSection(int index, QemuRecordType type, long offset)
    {
        Index = index;
        Type = type;
        Offset = offset;
    }

    /// <summary>Zero-based position among the records after the header.</summary>
    public int Index { get; }

    /// <summary>START, PART, END, FULL or COMMAND.</summary>
    public QemuRecordType Type { get; }

    /// <summary>Absolute offset of the record's type byte.</summary>
    public long Offset { get; }

    /// <summary>The section id (the handler's registration number); 0 for a command.</summary>
    public uint SectionId { get; internal set; }

    /// <summary>The handler's idstr (from this header, or from the START of the same id).</summary>
    public string IdStr { get; internal set; } = "";

    /// <summary>Instance id (START/FULL header, or carried over from the START).</summary>
    public uint InstanceId { get; internal set; }

    /// <summary>Version id (START/FULL header, or carried over from the START).</summary>
    public uint VersionId { get; internal set; }

    /// <summary>How the payload is walked.</summary>
    public QemuHandlerKind Handler { get; internal set; }

    /// <summary>Absolute offset of the first payload byte.</summary>
    public long PayloadOffset { get; internal set; }

    /// <summary>Absolute offset just past the payload (before any footer); -1 until complete.</summary>
    public long PayloadEnd { get; internal set; } = -1;

    /// <summary>Absolute offset just past the record (after its footer); -1 until complete.</summary>
    public long EndOffset { get; internal set; } = -1;

    /// <summary>True when the section closed with a <c>7E id</c> footer.</summary>
    public bool HasFooter { get; internal set; }

    /// <summary>Whether the payload's end is exact or scanned.</summary>
    public QemuDelimitation Delimitation { get; internal set; } = QemuDelimitation.Parsed;

    /// <summary>True when the end is exact: parsed, described, or scanned and later confirmed.</summary>
    public bool IsExact => Delimitation != QemuDelimitation.Scanned || Confirmed;

    /// <summary>A scanned FULL section whose length QEMU's JSON description (read at the end of the
    /// stream) confirmed.</summary>
    public bool Confirmed { get; internal set; }

    /// <summary>Zero-based position among the FULL sections (-1 for others).</summary>
    internal int FullOrdinal { get; set; } = -1;

    /// <summary>True once the reader has walked past the whole record.</summary>
    public bool IsComplete { get; internal set; }

    /// <summary>The command of a COMMAND record.</summary>
    public QemuVmCommand? Command { get; internal set; }

    /// <summary>The data length of a COMMAND record.</summary>
    public int CommandLength { get; internal set; }

    /// <summary>RAM record counts for a <see cref="QemuHandlerKind.Ram"/> section.</summary>
    public RamSectionStats? Ram { get; internal set; }

    /// <summary>Record counts for a <see cref="QemuHandlerKind.Block"/> section.</summary>
    public BlockSectionStats? Block { get; internal set; }

    /// <summary>Chunk counts for a <see cref="QemuHandlerKind.DirtyBitmap"/> section.</summary>
    public DirtyBitmapSectionStats? DirtyBitmap { get; internal set; }

    /// <summary>VFIO tag counts for a VFIO section.</summary>
    public VfioSectionStats? Vfio { get; internal set; }

    /// <summary>Payload length once complete.</summary>
    public long PayloadLength => PayloadEnd < 0 ? -1 : PayloadEnd - PayloadOffset;

    /// <summary>A short label for diagnostics: <c>section #3 (END, id 2 'ram')</c>.</summary>
    public string Label => Type == QemuRecordType.Command
        ? string.Create(CultureInfo.InvariantCulture, $"record #{Index} (COMMAND {Command})")
        : string.Create(CultureInfo.InvariantCulture, $"section #{Index} ({QemuText.RecordName(Type)}, id {SectionId} '{IdStr}')");
}

/// <summary>What a RAM section held (migration/ram.c records).</summary>
public sealed class RamSectionStats
{
    /// <summary>RAM blocks announced by RAM_SAVE_FLAG_MEM_SIZE (setup).</summary>
    public int Blocks { get; internal set; }
    /// <summary>Total RAM bytes announced by RAM_SAVE_FLAG_MEM_SIZE.</summary>
    public ulong TotalBytes { get; internal set; }
    /// <summary>Whole pages (RAM_SAVE_FLAG_PAGE).</summary>
    public long Pages { get; internal set; }
    /// <summary>Zero pages (RAM_SAVE_FLAG_ZERO).</summary>
    public long ZeroPages { get; internal set; }
    /// <summary>XBZRLE-encoded pages.</summary>
    public long XbzrlePages { get; internal set; }
    /// <summary>zlib-compressed pages (QEMU before 9.1).</summary>
    public long CompressedPages { get; internal set; }
    /// <summary>RAM_SAVE_FLAG_MULTIFD_FLUSH records: the multifd capability was on.</summary>
    public long MultifdFlushes { get; internal set; }
}

/// <summary>What a block migration section held (migration/block.c records).</summary>
public sealed class BlockSectionStats
{
    /// <summary>1 MiB disk blocks with data (BLK_MIG_FLAG_DEVICE_BLOCK).</summary>
    public long Blocks { get; internal set; }
    /// <summary>Zero blocks sent without data (BLK_MIG_FLAG_ZERO_BLOCK).</summary>
    public long ZeroBlocks { get; internal set; }
    /// <summary>BLK_MIG_FLAG_PROGRESS records.</summary>
    public long ProgressRecords { get; internal set; }
}

/// <summary>What a dirty bitmap section held (migration/block-dirty-bitmap.c chunks).</summary>
public sealed class DirtyBitmapSectionStats
{
    /// <summary>START chunks (one per bitmap, in the START section).</summary>
    public long Starts { get; internal set; }
    /// <summary>BITS chunks (with or without data).</summary>
    public long BitsChunks { get; internal set; }
    /// <summary>COMPLETE chunks.</summary>
    public long Completes { get; internal set; }
}

/// <summary>DEV_DATA_STATE block counts: of one VFIO section (<see cref="VfioSectionStats"/>) or of
/// all of a device's sections so far (<see cref="QemuVfioDevice"/>).</summary>
public abstract class VfioDataCounts
{
    private protected VfioDataCounts()
    {
    }

    /// <summary>DEV_DATA_STATE blocks.</summary>
    public long DataBlocks { get; private set; }
    /// <summary>Device data bytes in those blocks.</summary>
    public long DataBytes { get; private set; }
    /// <summary>The largest block (QEMU's buffer: min(1 MiB, stop-copy size)).</summary>
    public ulong LargestBlock { get; private set; }
    /// <summary>Absolute offset of the first device data byte, or -1.</summary>
    public long FirstDataOffset { get; private set; } = -1;

    /// <summary>Counts a block of <paramref name="size"/> bytes whose data starts at absolute offset <paramref name="at"/>.</summary>
    internal void Add(ulong size, long at)
    {
        DataBlocks++;
        DataBytes = checked(DataBytes + (long)size);
        LargestBlock = Math.Max(LargestBlock, size);
        if (FirstDataOffset < 0 && size > 0) FirstDataOffset = at;
    }
}

/// <summary>What a VFIO section held (hw/vfio/migration.c tags).</summary>
public sealed class VfioSectionStats : VfioDataCounts
{
    /// <summary>DEV_SETUP_STATE seen (the START of a device).</summary>
    public bool SetupState { get; internal set; }
    /// <summary>DEV_CONFIG_STATE with the vfio-pci config vmstate (FULL).</summary>
    public bool ConfigState { get; internal set; }
    /// <summary>A FULL whose payload is a lone END_OF_STATE: the "dummy EOS" QEMU writes when the
    /// device state and config go over multifd channels (x-migration-multifd-transfer).</summary>
    public bool DummyEndOfState { get; internal set; }
    /// <summary>DEV_CONFIG_LOAD_READY: the config went over multifd (QEMU 10.1+).</summary>
    public bool ConfigLoadReady { get; internal set; }
    /// <summary>DEV_INIT_DATA_SENT (pre-copy with switchover-ack).</summary>
    public bool InitDataSent { get; internal set; }
    /// <summary>Absolute offset of the closing END_OF_STATE tag, or -1.</summary>
    public long EndOfStateOffset { get; internal set; } = -1;
}

/// <summary>The stream header and the optional configuration record.</summary>
public sealed class QemuStreamHeader
{
    /// <summary>QEMU_VM_FILE_VERSION (3).</summary>
    public uint Version { get; internal set; }
    /// <summary>True when a QEMU_VM_CONFIGURATION record follows the header.</summary>
    public bool HasConfiguration { get; internal set; }
    /// <summary>Absolute offset of the configuration record, or -1.</summary>
    public long ConfigurationOffset { get; internal set; } = -1;
    /// <summary>The machine type, e.g. <c>pc-i440fx-7.2</c>.</summary>
    public string? MachineType { get; internal set; }
    /// <summary>From the configuration/target-page-bits subsection (absent when the target
    /// uses its minimum page size).</summary>
    public uint? TargetPageBits { get; internal set; }
    /// <summary>Capabilities QEMU checks on load (configuration/capabilities): x-ignore-shared,
    /// mapped-ram, ...</summary>
    public IReadOnlyList<string> Capabilities { get; internal set; } = [];
    /// <summary>The VM UUID (configuration/uuid), when validate-uuid is on.</summary>
    public Guid? Uuid { get; internal set; }
    /// <summary>Subsections this reader does not know; the configuration's end was then scanned.</summary>
    public IReadOnlyList<string> UnknownSubsections { get; internal set; } = [];
    /// <summary>The target page size used to walk RAM records.</summary>
    public int TargetPageSize { get; internal set; }
}

/// <summary>How sure the reader is that a device's state went over multifd channels.</summary>
public enum MultifdEvidence
{
    /// <summary>No sign of multifd device state transfer.</summary>
    None,
    /// <summary>Only circumstantial: the device sent no data in the main stream and RAM used
    /// multifd (RAM_SAVE_FLAG_MULTIFD_FLUSH), but its config section was not seen.</summary>
    Likely,
    /// <summary>The device's END section and its config section both hold only the dummy
    /// END_OF_STATE (or CONFIG_LOAD_READY) that QEMU 10+ writes when
    /// x-migration-multifd-transfer moves the device state to multifd channels.</summary>
    Detected,
}

/// <summary>A VFIO device found in the stream, with where its data is (its DEV_DATA_STATE counts
/// are those of all its sections seen so far).</summary>
public sealed class QemuVfioDevice : VfioDataCounts
{
    internal QemuVfioDevice(string idStr, uint sectionId, uint instanceId, uint versionId, long startOffset)
    {
        IdStr = idStr;
        SectionId = sectionId;
        InstanceId = instanceId;
        VersionId = versionId;
        StartOffset = startOffset;
    }

    /// <summary>The handler's idstr, <c>"&lt;qdev id&gt;/vfio"</c> or <c>"vfio"</c>.</summary>
    public string IdStr { get; }
    /// <summary>The section id shared by its START, PART, END and config FULL sections.</summary>
    public uint SectionId { get; }
    /// <summary>Instance id from the START header.</summary>
    public uint InstanceId { get; }
    /// <summary>Version id from the START header (1).</summary>
    public uint VersionId { get; }
    /// <summary>Absolute offset of the START section.</summary>
    public long StartOffset { get; }
    /// <summary>Sections (START/PART/END) that carried data.</summary>
    public int SectionsWithData { get; internal set; }
    /// <summary>Absolute offset of the END section, or -1 until seen.</summary>
    public long EndSectionOffset { get; internal set; } = -1;
    /// <summary>Absolute offset of the END section's payload (its first tag), or -1.</summary>
    public long EndPayloadOffset { get; internal set; } = -1;
    /// <summary>Absolute offset of the END section's closing END_OF_STATE, or -1 until walked.</summary>
    public long EndOfStateOffset { get; internal set; } = -1;
    /// <summary>True when data came in a START or PART section (pre-copy), not only in the END.</summary>
    public bool DataOutsideEnd { get; internal set; }
    /// <summary>The config FULL section, once seen.</summary>
    public VfioSectionStats? Config { get; internal set; }
    /// <summary>True once the END section's tags were all walked.</summary>
    public bool Ended { get; internal set; }
    /// <summary>The stream-wide totals (RAM multifd flushes are evidence for <see cref="Multifd"/>).</summary>
    internal QemuStreamSummary? Stream { get; set; }

    /// <summary>True when the END section was walked and no data at all came in the main stream.</summary>
    public bool SentNoData => Ended && DataBytes == 0;

    /// <summary>Whether the device state went over multifd channels instead of the main stream.</summary>
    public MultifdEvidence Multifd =>
        !SentNoData ? MultifdEvidence.None
        : Config is { } c && (c.DummyEndOfState || c.ConfigLoadReady) ? MultifdEvidence.Detected
        : Config is null && Stream?.RamMultifdFlushes > 0 ? MultifdEvidence.Likely
        : MultifdEvidence.None;

    /// <summary>One line on why there is no data, for messages.</summary>
    public string NoDataExplanation => Multifd switch
    {
        MultifdEvidence.Detected =>
            "its END and config sections hold only the dummy END_OF_STATE QEMU writes when x-migration-multifd-transfer " +
            "sends device state over multifd channels: the data is not in this stream (migrate with multifd off, " +
            "or x-migration-multifd-transfer=off, to capture it)",
        MultifdEvidence.Likely =>
            "its END section holds only END_OF_STATE and RAM went over multifd channels (RAM_SAVE_FLAG_MULTIFD_FLUSH); " +
            "this looks like multifd device state transfer (a heuristic: the config section was not seen)",
        _ => "its END section holds only END_OF_STATE (the data fd returned no bytes)",
    };
}

/// <summary>What the walk found beyond the sections: where the stream ended and stream-wide counts.</summary>
public sealed class QemuStreamSummary
{
    /// <summary>Records (sections and commands) read so far.</summary>
    public int Records { get; internal set; }
    /// <summary>Whether sections close with footers; null until the first section closed.</summary>
    public bool? SectionFooters { get; internal set; }
    /// <summary>Sections whose end was found by scanning.</summary>
    public int ScannedSections { get; internal set; }
    /// <summary>Scanned FULL sections whose length QEMU's JSON description, read at the end of a
    /// stream that could not be read from its end first (a pipe), confirmed.</summary>
    public int ConfirmedSections { get; internal set; }
    /// <summary>FULL sections walked field by field with QEMU's JSON description.</summary>
    public int DescribedSections { get; internal set; }
    /// <summary>True when the configuration had a subsection this reader does not know (its end was scanned).</summary>
    public bool ScannedConfiguration { get; internal set; }
    /// <summary>True when every record's end is exact (parsed, described, or scanned and confirmed):
    /// the record list is what QEMU wrote, not a heuristic.</summary>
    public bool IsExact => ScannedSections == ConfirmedSections && !ScannedConfiguration;
    /// <summary>Absolute offset of QEMU_VM_EOF, or -1 until read.</summary>
    public long EofOffset { get; internal set; } = -1;
    /// <summary>Absolute offset of the QEMU_VM_VMDESCRIPTION record, or -1.</summary>
    public long VmDescriptionOffset { get; internal set; } = -1;
    /// <summary>Length of the JSON description.</summary>
    public long VmDescriptionLength { get; internal set; }
    /// <summary>Bytes after the end of the stream (after EOF and the description).</summary>
    public long TrailingBytes { get; internal set; }
    /// <summary>RAM_SAVE_FLAG_MULTIFD_FLUSH records in the RAM sections: the multifd capability was on.</summary>
    public long RamMultifdFlushes { get; internal set; }
    /// <summary>Absolute offset of the end of the stream, once reached.</summary>
    public long EndOffset { get; internal set; } = -1;
}

/// <summary>Options of <see cref="QemuMigrationReader"/>.</summary>
public sealed class QemuMigrationReaderOptions
{
    /// <summary>Size of the reader's one buffer; also bounds the scanner's look-ahead. At least 4 KiB.</summary>
    public int BufferSize { get; init; } = 256 * 1024;

    /// <summary>The target page size to walk RAM records with when the stream has no
    /// configuration/target-page-bits subsection (x86 and most targets: 4096).</summary>
    public int DefaultTargetPageSize { get; init; } = 4096;

    /// <summary>Skip payloads by seeking when the source can.</summary>
    public bool SeekToSkip { get; init; } = true;

    /// <summary>On a seekable stream, read QEMU's JSON vmstate description from the end first and
    /// walk FULL sections with it (exact) instead of scanning them.</summary>
    public bool UseVmDescription { get; init; } = true;

    /// <summary>Told the absolute position every <see cref="ProgressInterval"/> bytes.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Bytes between two progress reports.</summary>
    public long ProgressInterval { get; init; } = 16L << 20;

    /// <summary>Leave the stream open when the reader is disposed.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>Told each record once its header is read, including in walks the caller does not
    /// drive (<see cref="QemuMigrationReader.FindDeviceData"/>); the record is completed in place as
    /// the walk moves past it. Lets a report list every record of the pass that reads the device data.</summary>
    public Action<QemuSection>? OnRecord { get; init; }
}

/// <summary>Display names for the record types.</summary>
public static class QemuText
{
    /// <summary><c>START</c>, <c>PART</c>, <c>END</c>, <c>FULL</c>, <c>COMMAND</c>, ...</summary>
    public static string RecordName(QemuRecordType type) => type switch
    {
        QemuRecordType.Eof => "EOF",
        QemuRecordType.SectionStart => "START",
        QemuRecordType.SectionPart => "PART",
        QemuRecordType.SectionEnd => "END",
        QemuRecordType.SectionFull => "FULL",
        QemuRecordType.Subsection => "SUBSECTION",
        QemuRecordType.VmDescription => "VMDESCRIPTION",
        QemuRecordType.Configuration => "CONFIGURATION",
        QemuRecordType.Command => "COMMAND",
        QemuRecordType.SectionFooter => "FOOTER",
        _ => string.Create(CultureInfo.InvariantCulture, $"0x{(byte)type:X2}"),
    };
}
