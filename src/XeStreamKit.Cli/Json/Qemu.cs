using System.Text.Json.Serialization;
using XeStreamKit.Qemu;

namespace XeStreamKit.Cli.Json;

/// <summary><c>xsk qemu sections --json</c>: the configuration record.</summary>
public sealed record QemuConfigurationJson(long Offset, string? MachineType, uint? TargetPageBits, IReadOnlyList<string> Capabilities, string? Uuid, IReadOnlyList<string> UnknownSubsections)
{
    /// <summary>From the header; null without a configuration record.</summary>
    public static QemuConfigurationJson? Of(QemuStreamHeader h) => !h.HasConfiguration ? null
        : new(h.ConfigurationOffset, h.MachineType, h.TargetPageBits, h.Capabilities, h.Uuid?.ToString(), h.UnknownSubsections);
}

/// <summary><c>xsk qemu sections --json</c>: one record (a row of <c>sections</c>, streamed). A
/// command has command, commandId and length; a section has sectionId, idstr, instanceId, versionId
/// and handler; ram, block, dirtyBitmap and vfio only for their handlers.</summary>
public sealed record QemuSectionJson(
    int Index, long Offset, string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Command,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ushort? CommandId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Length,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? SectionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Idstr,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? InstanceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? VersionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Handler,
    long PayloadOffset, long PayloadEnd, long EndOffset, bool Footer, string Delimitation, bool Exact,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QemuRamJson? Ram,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QemuBlockJson? Block,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QemuDirtyBitmapJson? DirtyBitmap,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QemuVfioSectionJson? Vfio)
{
    /// <summary>The row for one record.</summary>
    public static QemuSectionJson Of(QemuSection s)
    {
        var c = s.Command;
        var section = c is null;
        return new(s.Index, s.Offset, QemuText.RecordName(s.Type),
            c?.ToString(), (ushort?)c, section ? null : s.CommandLength,
            section ? s.SectionId : null, section ? s.IdStr : null, section ? s.InstanceId : null, section ? s.VersionId : null,
            section ? s.Handler switch
            {
                QemuHandlerKind.Ram => "ram",
                QemuHandlerKind.Vfio => "vfio",
                QemuHandlerKind.VfioConfig => "vfio-config",
                QemuHandlerKind.Block => "block",
                QemuHandlerKind.DirtyBitmap => "dirty-bitmap",
                _ => "other",
            } : null,
            s.PayloadOffset, s.PayloadEnd, s.EndOffset, s.HasFooter,
            s.Delimitation switch
            {
                QemuDelimitation.Described => "described",
                QemuDelimitation.Scanned => "scanned",
                _ => "parsed",
            },
            s.IsExact,
            s.Ram is { } r ? new(r.Blocks, r.TotalBytes, r.Pages, r.ZeroPages, r.XbzrlePages, r.CompressedPages, r.MultifdFlushes) : null,
            s.Block is { } b ? new(b.Blocks, b.ZeroBlocks, b.ProgressRecords) : null,
            s.DirtyBitmap is { } d ? new(d.Starts, d.BitsChunks, d.Completes) : null,
            s.Vfio is { } v ? new(v.SetupState, v.DataBlocks, v.DataBytes, v.LargestBlock, v.FirstDataOffset, v.ConfigState, v.DummyEndOfState, v.ConfigLoadReady, v.InitDataSent, v.EndOfStateOffset) : null);
    }
}

/// <summary>A RAM section's counts.</summary>
public sealed record QemuRamJson(int Blocks, ulong TotalBytes, long Pages, long ZeroPages, long XbzrlePages, long CompressedPages, long MultifdFlushes);

/// <summary>A block-migration section's counts.</summary>
public sealed record QemuBlockJson(long Blocks, long ZeroBlocks, long ProgressRecords);

/// <summary>A dirty-bitmap section's counts.</summary>
public sealed record QemuDirtyBitmapJson(long Starts, long BitsChunks, long Completes);

/// <summary>A VFIO section's flags and data counts.</summary>
public sealed record QemuVfioSectionJson(bool SetupState, long DataBlocks, long DataBytes, ulong LargestBlock, long FirstDataOffset,
    bool ConfigState, bool DummyEndOfState, bool ConfigLoadReady, bool InitDataSent, long EndOfStateOffset);

/// <summary><c>xsk qemu sections --json</c>: where QEMU's JSON vmstate description is.</summary>
public sealed record QemuVmDescriptionJson(long Offset, long Length);

/// <summary><c>xsk qemu sections --json</c>: one VFIO device found.</summary>
public sealed record QemuVfioDeviceJson(string Idstr, uint SectionId, uint InstanceId, long StartOffset, long EndSectionOffset,
    long DataBlocks, long DataBytes, ulong LargestBlock, long FirstDataOffset, bool DataOutsideEnd, bool SentNoData, string Multifd, string Note);

/// <summary><c>xsk qemu extract --json</c>.</summary>
public sealed record QemuExtractJson(string Device, uint SectionId, long Bytes, long Packets, long Blocks, ulong LargestBlock, long FirstDataOffset, string Output);

/// <summary><c>xsk qemu inject --json</c>.</summary>
public sealed record QemuInjectJson(string Device, uint SectionId, long OldDataBytes, long NewDataBytes, long Packets, long Blocks, int BlockSize, long FileBytes, string Output);
