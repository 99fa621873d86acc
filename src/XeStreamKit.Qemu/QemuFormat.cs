namespace XeStreamKit.Qemu;

/// <summary>
/// Constants of QEMU's migration stream (what <c>migrate "file:..."</c> and
/// <c>migrate "exec:cat > ..."</c> write) and of the VFIO device-state framing inside it.
/// </summary>
/// <remarks>
/// <code>
///  file     := be32 magic "QEVM" | be32 version 3 | [0x07 configuration] | record* | 0x00 EOF | [0x06 be32 len JSON]
///  config   := be32 len | machine type | { 0x05 | u8 len | name | be32 version | fields }*
///  record   := START/FULL: type | be32 section_id | u8 len | idstr | be32 instance_id | be32 version_id | payload | [footer]
///            | PART/END:   type | be32 section_id | payload | [footer]
///            | COMMAND:    0x08 | be16 cmd | be16 len | data
///  footer   := 0x7E | be32 section_id          (when the machine's send-section-footer is on)
///  vfio     := { be64 tag [ be64 size | size bytes ] }* be64 END_OF_STATE
/// </code>
/// Sources: qemu/qemu migration/savevm.c@99694362 (header, configuration vmstate, section headers
/// and footers, commands, EOF, vmdesc), migration/ram.c@033be66d and ram.h (RAM records),
/// migration/block.c@01371c58 and block-dirty-bitmap.c@01c3ac68 (block and bitmap records),
/// hw/vfio/migration.c@3336d217 and migration-multifd.c (VFIO tags, dummy end-of-state under multifd).
/// Section payloads carry no length: each device parses its own.
/// </remarks>
public static class QemuFormat
{
    /// <summary>QEMU_VM_FILE_MAGIC, "QEVM".</summary>
    public const uint Magic = 0x5145564D;
    /// <summary>QEMU_VM_FILE_VERSION.</summary>
    public const uint Version = 3;
    /// <summary>QEMU_VM_FILE_VERSION_COMPAT: written by very old QEMU, rejected on load.</summary>
    public const uint VersionCompat = 2;

    /// <summary>Longest idstr a section header can carry (a u8 length).</summary>
    public const int MaxIdStrLength = 255;

    /// <summary>The idstr of the RAM live handler.</summary>
    public const string RamIdStr = "ram";
    /// <summary>The idstr of the run state vmstate, the last FULL section (migration/global_state.c).</summary>
    public const string GlobalStateIdStr = "globalstate";
    /// <summary>The idstr of the block migration live handler (migration/block.c).</summary>
    public const string BlockIdStr = "block";
    /// <summary>The idstr of the block dirty bitmap live handler (migration/block-dirty-bitmap.c).</summary>
    public const string DirtyBitmapIdStr = "dirty-bitmap";
    /// <summary>The idstr of a VFIO device without a qdev id; with one it is <c>"&lt;id&gt;/vfio"</c>.</summary>
    public const string VfioIdStr = "vfio";

    /// <summary>True when <paramref name="idstr"/> names a VFIO device's live handler
    /// (<c>vfio_migration_init</c> registers <c>"&lt;qdev id path&gt;/vfio"</c>, or <c>"vfio"</c>).</summary>
    public static bool IsVfioIdStr(string idstr) =>
        idstr == VfioIdStr || idstr.EndsWith("/" + VfioIdStr, StringComparison.Ordinal);
}

/// <summary>The one-byte record types of the stream (<c>QEMU_VM_*</c> in savevm.c).</summary>
public enum QemuRecordType : byte
{
    /// <summary>QEMU_VM_EOF: end of the device state.</summary>
    Eof = 0x00,
    /// <summary>QEMU_VM_SECTION_START: setup of a live (iterable) handler.</summary>
    SectionStart = 0x01,
    /// <summary>QEMU_VM_SECTION_PART: one iteration of a live handler.</summary>
    SectionPart = 0x02,
    /// <summary>QEMU_VM_SECTION_END: completion of a live handler (a VFIO device's STOP_COPY data).</summary>
    SectionEnd = 0x03,
    /// <summary>QEMU_VM_SECTION_FULL: the whole state of a non-iterable handler (vmstate).</summary>
    SectionFull = 0x04,
    /// <summary>QEMU_VM_SUBSECTION: inside vmstate only.</summary>
    Subsection = 0x05,
    /// <summary>QEMU_VM_VMDESCRIPTION: JSON after EOF describing the non-iterable sections.</summary>
    VmDescription = 0x06,
    /// <summary>QEMU_VM_CONFIGURATION: machine type and checked capabilities, right after the header.</summary>
    Configuration = 0x07,
    /// <summary>QEMU_VM_COMMAND: be16 command, be16 length, data.</summary>
    Command = 0x08,
    /// <summary>QEMU_VM_SECTION_FOOTER: closes a section when footers are on.</summary>
    SectionFooter = 0x7E,
}

/// <summary>Commands (<c>enum qemu_vm_cmd</c> in savevm.c).</summary>
public enum QemuVmCommand : ushort
{
    /// <summary>MIG_CMD_INVALID.</summary>
    Invalid = 0,
    /// <summary>MIG_CMD_OPEN_RETURN_PATH.</summary>
    OpenReturnPath = 1,
    /// <summary>MIG_CMD_PING (be32).</summary>
    Ping = 2,
    /// <summary>MIG_CMD_POSTCOPY_ADVISE.</summary>
    PostcopyAdvise = 3,
    /// <summary>MIG_CMD_POSTCOPY_LISTEN.</summary>
    PostcopyListen = 4,
    /// <summary>MIG_CMD_POSTCOPY_RUN.</summary>
    PostcopyRun = 5,
    /// <summary>MIG_CMD_POSTCOPY_RAM_DISCARD.</summary>
    PostcopyRamDiscard = 6,
    /// <summary>MIG_CMD_PACKAGED (be32 length; the packaged records follow inline).</summary>
    Packaged = 7,
    /// <summary>MIG_CMD_ENABLE_COLO.</summary>
    EnableColo = 8,
    /// <summary>MIG_CMD_POSTCOPY_RESUME.</summary>
    PostcopyResume = 9,
    /// <summary>MIG_CMD_RECV_BITMAP.</summary>
    RecvBitmap = 10,
    /// <summary>MIG_CMD_SWITCHOVER_START (QEMU 10).</summary>
    SwitchoverStart = 11,
}

/// <summary>
/// RAM record flags, in the low bits (below the target page size) of each record's be64 word
/// (migration/ram.h). The high bits are the page offset in its RAM block, or the total RAM size
/// for <see cref="MemSize"/>.
/// </summary>
[Flags]
public enum RamSaveFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>RAM_SAVE_FLAG_FULL, obsolete since 2009.</summary>
    Full = 0x01,
    /// <summary>RAM_SAVE_FLAG_ZERO: a zero page, one fill byte (must be 0) follows.</summary>
    Zero = 0x02,
    /// <summary>RAM_SAVE_FLAG_MEM_SIZE: the RAM block list follows (setup).</summary>
    MemSize = 0x04,
    /// <summary>RAM_SAVE_FLAG_PAGE: a whole target page follows.</summary>
    Page = 0x08,
    /// <summary>RAM_SAVE_FLAG_EOS: end of this section's RAM records.</summary>
    Eos = 0x10,
    /// <summary>RAM_SAVE_FLAG_CONTINUE: same RAM block as the previous page, no block name follows.</summary>
    Continue = 0x20,
    /// <summary>RAM_SAVE_FLAG_XBZRLE: u8 encoding (1), be16 length, XBZRLE delta.</summary>
    Xbzrle = 0x40,
    /// <summary>RAM_SAVE_FLAG_HOOK: RDMA control, only on RDMA channels.</summary>
    Hook = 0x80,
    /// <summary>RAM_SAVE_FLAG_COMPRESS_PAGE (removed in QEMU 9.1): be32 length, zlib data.</summary>
    CompressPage = 0x100,
    /// <summary>RAM_SAVE_FLAG_MULTIFD_FLUSH (QEMU 8.1+): pages went over multifd channels; sync point.</summary>
    MultifdFlush = 0x200,
}

/// <summary>The be64 delimiters of VFIO device state (hw/vfio/migration.c): 0xffffffff, then
/// 0xef10 ("emulated function IO"), then a 16-bit flag.</summary>
public enum VfioMigrationTag : ulong
{
    /// <summary>VFIO_MIG_FLAG_END_OF_STATE.</summary>
    EndOfState = 0xFFFFFFFFEF100001,
    /// <summary>VFIO_MIG_FLAG_DEV_CONFIG_STATE: vfio-pci config vmstate, then END_OF_STATE.</summary>
    DevConfigState = 0xFFFFFFFFEF100002,
    /// <summary>VFIO_MIG_FLAG_DEV_SETUP_STATE: directly followed by END_OF_STATE.</summary>
    DevSetupState = 0xFFFFFFFFEF100003,
    /// <summary>VFIO_MIG_FLAG_DEV_DATA_STATE: be64 size, then size bytes read from the data fd.</summary>
    DevDataState = 0xFFFFFFFFEF100004,
    /// <summary>VFIO_MIG_FLAG_DEV_INIT_DATA_SENT: pre-copy with switchover-ack; no payload.</summary>
    DevInitDataSent = 0xFFFFFFFFEF100005,
    /// <summary>VFIO_MIG_FLAG_DEV_CONFIG_LOAD_READY: the config went over multifd (load-config-after-iter).</summary>
    DevConfigLoadReady = 0xFFFFFFFFEF100006,
}
