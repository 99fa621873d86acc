using System.Buffers.Binary;
using System.Text;

namespace XeStreamKit.Qemu;

/// <summary>
/// Writes a QEMU migration stream record by record, the mirror of
/// <see cref="QemuMigrationReader"/>: header and configuration, section headers with their
/// footers, RAM records, VFIO tags and DEV_DATA_STATE blocks, commands, EOF and the JSON
/// description. Lengths, flags and footers are derived, never filled in by hand. Used to wrap an
/// Xe stream as QEMU does and to build test images; opaque vmstate payloads are written raw.
/// </summary>
public sealed class QemuMigrationWriter : IDisposable
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly int _pageSize;
    private uint? _openSection;
    private string? _lastRamBlock;
    private bool _disposed;

    /// <summary>Writes to <paramref name="output"/>; <paramref name="sectionFooters"/> as QEMU's
    /// send-section-footer (on for every modern machine type).</summary>
    public QemuMigrationWriter(Stream output, bool sectionFooters = true, int targetPageSize = 4096, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(output));
        if (targetPageSize < 1024 || (targetPageSize & (targetPageSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(targetPageSize), "The target page size is a power of two of at least 1024.");
        _output = output;
        _leaveOpen = leaveOpen;
        _pageSize = targetPageSize;
        SectionFooters = sectionFooters;
    }

    /// <summary>Whether sections close with <c>7E id</c>.</summary>
    public bool SectionFooters { get; }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The magic, version 3 and, when <paramref name="machineType"/> is given, the
    /// configuration record with the subsections that are not null/empty.</summary>
    public void WriteHeader(string? machineType = "pc-q35-10.0", IReadOnlyList<string>? capabilities = null, uint? targetPageBits = null, Guid? uuid = null)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, QemuFormat.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], QemuFormat.Version);
        Write(head);
        if (machineType is null) return;
        WriteByte((byte)QemuRecordType.Configuration);
        WriteBe32((uint)Encoding.ASCII.GetByteCount(machineType));
        Write(Encoding.ASCII.GetBytes(machineType));
        if (targetPageBits is { } bits)
        {
            WriteSubsectionHeader("configuration/target-page-bits");
            WriteBe32(bits);
        }
        if (capabilities is { Count: > 0 })
        {
            WriteSubsectionHeader("configuration/capabilities");
            WriteBe32((uint)capabilities.Count);
            foreach (var c in capabilities) WriteName(c);
        }
        if (uuid is { } id)
        {
            WriteSubsectionHeader("configuration/uuid");
            Span<byte> bytes = stackalloc byte[16];
            id.TryWriteBytes(bytes, bigEndian: true, out _);
            Write(bytes);
        }
    }

    /// <summary>Opens a START or FULL section: type, section id, idstr, instance id, version id.</summary>
    public void BeginSection(QemuRecordType type, uint sectionId, string idStr, uint instanceId, uint versionId)
    {
        if (type is not (QemuRecordType.SectionStart or QemuRecordType.SectionFull))
            throw new ArgumentOutOfRangeException(nameof(type), "START and FULL carry an idstr; use the other overload for PART and END.");
        var name = NameBytes(idStr);
        OpenSection(type, sectionId);
        WriteByte((byte)name.Length);
        Write(name);
        WriteBe32(instanceId);
        WriteBe32(versionId);
    }

    /// <summary>Opens a PART or END section: type and section id.</summary>
    public void BeginSection(QemuRecordType type, uint sectionId)
    {
        if (type is not (QemuRecordType.SectionPart or QemuRecordType.SectionEnd))
            throw new ArgumentOutOfRangeException(nameof(type), "Only PART and END have the short header.");
        OpenSection(type, sectionId);
    }

    /// <summary>Closes the open section with its footer (when footers are on).</summary>
    public void EndSection()
    {
        var id = _openSection ?? throw new InvalidOperationException("No section is open.");
        _openSection = null;
        if (!SectionFooters) return;
        WriteByte((byte)QemuRecordType.SectionFooter);
        WriteBe32(id);
    }

    /// <summary>RAM_SAVE_FLAG_MEM_SIZE and the block list (setup).</summary>
    public void WriteRamBlockList(IReadOnlyList<(string Name, ulong Length)> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ulong total = 0;
        foreach (var (_, length) in blocks)
        {
            if (length % (ulong)_pageSize != 0) throw new ArgumentException("RAM block lengths are whole pages.", nameof(blocks));
            total += length;
        }
        WriteBe64(total | (ulong)RamSaveFlags.MemSize);
        foreach (var (name, length) in blocks)
        {
            WriteName(name);
            WriteBe64(length);
        }
    }

    /// <summary>A whole page (RAM_SAVE_FLAG_PAGE) at <paramref name="offset"/> of <paramref name="block"/>.</summary>
    public void WriteRamPage(string block, ulong offset, ReadOnlySpan<byte> page)
    {
        if (page.Length != _pageSize) throw new ArgumentException($"A page has {_pageSize} bytes.", nameof(page));
        WritePageHeader(block, offset, RamSaveFlags.Page);
        Write(page);
    }

    /// <summary>A zero page (RAM_SAVE_FLAG_ZERO, fill byte 0).</summary>
    public void WriteRamZeroPage(string block, ulong offset)
    {
        WritePageHeader(block, offset, RamSaveFlags.Zero);
        WriteByte(0);
    }

    /// <summary>RAM_SAVE_FLAG_MULTIFD_FLUSH (what QEMU writes when the multifd capability is on).</summary>
    public void WriteRamMultifdFlush() => WriteBe64((ulong)RamSaveFlags.MultifdFlush);

    /// <summary>RAM_SAVE_FLAG_EOS: ends a RAM section's records.</summary>
    public void WriteRamEos() => WriteBe64((ulong)RamSaveFlags.Eos);

    /// <summary>A VFIO tag.</summary>
    public void WriteVfioTag(VfioMigrationTag tag) => WriteBe64((ulong)tag);

    /// <summary>The rest of <paramref name="deviceData"/> as DEV_DATA_STATE blocks of
    /// <paramref name="blockSize"/> bytes (the last one shorter), as <c>vfio_save_complete_precopy</c>
    /// reads the data fd. END_OF_STATE is not written. Returns the data byte count.</summary>
    public long WriteVfioDeviceData(Stream deviceData, int blockSize = VfioDataBlockWriter.DefaultBlockSize)
    {
        ArgumentNullException.ThrowIfNull(deviceData);
        using var blocks = new VfioDataBlockWriter(_output, blockSize, leaveOpen: true);
        deviceData.CopyTo(blocks, Math.Min(blockSize, 1 << 20));
        blocks.Complete();
        BytesWritten += blocks.BytesWritten;
        return blocks.DataBytes;
    }

    /// <summary>Opaque bytes, e.g. a vmstate payload.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => Write(bytes);

    /// <summary>A COMMAND record: be16 command, be16 length, data.</summary>
    public void WriteCommand(QemuVmCommand command, ReadOnlySpan<byte> data)
    {
        if (data.Length > ushort.MaxValue) throw new ArgumentException("Command data is at most 65535 bytes.", nameof(data));
        WriteByte((byte)QemuRecordType.Command);
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(head, (ushort)command);
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)data.Length);
        Write(head);
        Write(data);
    }

    /// <summary>QEMU_VM_EOF.</summary>
    public void WriteEof()
    {
        if (_openSection is not null) throw new InvalidOperationException("A section is still open.");
        WriteByte((byte)QemuRecordType.Eof);
    }

    /// <summary>QEMU_VM_VMDESCRIPTION: be32 length and the JSON.</summary>
    public void WriteVmDescription(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        WriteByte((byte)QemuRecordType.VmDescription);
        WriteBe32((uint)bytes.Length);
        Write(bytes);
    }

    /// <summary>Flushes the output.</summary>
    public void Flush() => _output.Flush();

    /// <summary>Flushes, then closes the output unless told to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _output.Flush();
        if (!_leaveOpen) _output.Dispose();
    }

    private void OpenSection(QemuRecordType type, uint sectionId)
    {
        if (_openSection is not null) throw new InvalidOperationException($"Section {_openSection} is still open.");
        WriteByte((byte)type);
        WriteBe32(sectionId);
        _openSection = sectionId;
    }

    private void WritePageHeader(string block, ulong offset, RamSaveFlags flags)
    {
        if (offset % (ulong)_pageSize != 0) throw new ArgumentException("Pages are page aligned.", nameof(offset));
        var same = block == _lastRamBlock;
        WriteBe64(offset | (ulong)flags | (same ? (ulong)RamSaveFlags.Continue : 0));
        if (!same) WriteName(block);
        _lastRamBlock = block;
    }

    private void WriteSubsectionHeader(string name)
    {
        WriteByte((byte)QemuRecordType.Subsection);
        WriteName(name);
        WriteBe32(1);
    }

    private void WriteName(string name)
    {
        var bytes = NameBytes(name);
        WriteByte((byte)bytes.Length);
        Write(bytes);
    }

    private static byte[] NameBytes(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length is 0 or > QemuFormat.MaxIdStrLength) throw new ArgumentException("A name has 1 to 255 bytes.", nameof(name));
        return bytes;
    }

    private void WriteByte(byte value) => Write([value]);

    private void WriteBe32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        Write(b);
    }

    private void WriteBe64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        Write(b);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _output.Write(bytes);
        BytesWritten += bytes.Length;
    }
}
