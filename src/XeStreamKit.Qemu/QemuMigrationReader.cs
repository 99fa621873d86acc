using System.Globalization;

namespace XeStreamKit.Qemu;

/// <summary>
/// Forward-only, constant-memory reader of a QEMU migration stream (a <c>migrate "file:..."</c>
/// or <c>"exec:cat > ..."</c> image, or the main channel of a live migration). It walks the
/// records, finds VFIO devices by their idstr (<c>"&lt;id&gt;/vfio"</c>) and hands out a device's
/// state as a <see cref="VfioDeviceDataStream"/> reassembled from its DEV_DATA_STATE blocks.
/// </summary>
/// <remarks>
/// Section payloads carry no length. What QEMU gives the means to delimit exactly is parsed:
/// <list type="bullet">
/// <item>the header and configuration (known subsections), section headers and footers,
/// commands, EOF and the JSON description (qemu/qemu migration/savevm.c@99694362);</item>
/// <item>every "ram" section (RAM records to RAM_SAVE_FLAG_EOS, migration/ram.c), every "block"
/// and "dirty-bitmap" section (their records to their EOS flag, migration/block.c,
/// block-dirty-bitmap.c), every VFIO START, PART and END section (be64 tags, DEV_DATA_STATE sizes,
/// hw/vfio/migration.c): bytes inside guest pages, disk blocks and device data are never looked
/// at, and VFIO data is found by the section id its START announced;</item>
/// <item>every FULL section, walked field by field with QEMU's JSON vmstate description
/// (<see cref="QemuVmDescription"/>): on a seekable stream it is read from the end first; on a
/// pipe the FULL sections are scanned and each length is checked against it when it arrives
/// after EOF (a mismatch is an error); "globalstate" (always 104 bytes) also without it.</item>
/// </list>
/// Only FULL sections of streams without a description (suppress-vmdesc, old machine types) and
/// live handlers this reader does not know are delimited by scanning a bounded window for the
/// next record QEMU could write: with footers on, <c>7E &lt;own section id&gt;</c> followed by a
/// record start; a START/FULL header needs a printable idstr, an id and version below 0x10000,
/// an unused id (a START only before any PART/END); a PART/END needs the id of a live handler
/// that has not ended, END in START order, and a first payload word that fits the handler; a
/// command needs the length QEMU gives it and a record start after it; EOF needs the JSON
/// description after it, or the end of input right after a footer or after "globalstate".
/// Such sections are <see cref="QemuDelimitation.Scanned"/> and <see cref="QemuStreamSummary.IsExact"/>
/// says whether anything confirmed them. Structure that QEMU never writes is an error: an EOF
/// while a live handler has not ended or followed by anything but the description, a FULL
/// section other than the one the description lists next. Extracted device data is checked as
/// an Xe packet chain by <see cref="XeStreamChain"/>.
/// Bad data raises <see cref="MigrationStreamFormatException"/> (packet index -1) with the
/// absolute offset; after one the reader is finished.
/// </remarks>
public sealed partial class QemuMigrationReader : IDisposable
{
    /// <summary>Most distinct section ids a stream may declare (real QEMU registers a few hundred).</summary>
    public const int MaxHandlers = 65536;

    private readonly QemuByteSource _src;
    private readonly QemuMigrationReaderOptions _options;
    private readonly Dictionary<uint, Handler> _handlers = [];
    private readonly List<Handler> _started = [];
    private readonly List<QemuVfioDevice> _devices = [];
    private QemuStreamHeader? _header;
    private QemuSection? _current;
    private bool _finished;
    private bool _sawPart;
    private bool _sawEnd;
    private int _pageSize = 4096;
    private bool _disposed;
    private readonly QemuVmDescription? _description;
    private readonly long _descriptionOffset = -1;
    private int _fullCount;
    private readonly List<(int Ordinal, QemuSection Section)> _scannedFulls = [];

    /// <summary>Reads the stream from its current position (offsets are relative to it).</summary>
    public QemuMigrationReader(Stream stream, QemuMigrationReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        _options = options ?? new QemuMigrationReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BufferSize, 4096, nameof(options));
        if (_options.UseVmDescription)
        {
            // Read QEMU's description of the FULL sections first (it sits after EOF) so they are
            // walked field by field; a description that does not parse is ignored here and fails
            // when the walk reaches it.
            var at = QemuVmDescription.Locate(stream, out var json);
            if (at >= 0)
            {
                try
                {
                    _description = QemuVmDescription.Parse(json, at + 5);
                    _descriptionOffset = at;
                }
                catch (MigrationStreamFormatException)
                {
                }
            }
        }
        _src = new QemuByteSource(stream, _options.BufferSize, _options.LeaveOpen, _options.SeekToSkip, _options.Progress, _options.ProgressInterval);
    }

    /// <summary>True when <paramref name="first4"/> starts with the QEVM magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> first4) =>
        first4.Length >= 4 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(first4) == QemuFormat.Magic;

    /// <summary>The header and configuration (read on first use).</summary>
    public QemuStreamHeader Header => _header ?? ReadHeader();

    /// <summary>Where the walk is and what it found beyond the sections.</summary>
    public QemuStreamSummary Summary { get; } = new();

    /// <summary>The record most recently returned by <see cref="ReadNextSection"/>.</summary>
    public QemuSection Current => _current ?? throw new InvalidOperationException("There is no current section: call ReadNextSection first.");

    /// <summary>VFIO devices whose START section was read, in stream order.</summary>
    public IReadOnlyList<QemuVfioDevice> VfioDevices => _devices;

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position => _src.Position;

    /// <summary>True once QEMU_VM_EOF (or a format error) was reached.</summary>
    public bool IsFinished => _finished;

    /// <summary>Reads the header and the configuration record, if not done yet.</summary>
    public QemuStreamHeader ReadHeader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_header is not null) return _header;
        return Guard(() =>
        {
            var h = new QemuStreamHeader();
            var magic = _src.ReadBe32("qemu header.magic");
            if (magic != QemuFormat.Magic)
                throw Fail(0, "qemu header.magic", $"is 0x{magic:X8}, expected 0x5145564D (\"QEVM\"): not a QEMU migration stream");
            var version = _src.ReadBe32("qemu header.version");
            if (version == QemuFormat.VersionCompat)
                throw Fail(4, "qemu header.version", "is 2 (QEMU_VM_FILE_VERSION_COMPAT), which QEMU no longer loads; expected 3");
            if (version != QemuFormat.Version)
                throw Fail(4, "qemu header.version", $"is {version}, expected 3");
            h.Version = version;
            var next = _src.Peek(1);
            if (next.Length == 1 && next[0] == (byte)QemuRecordType.Configuration) ReadConfiguration(h);
            h.TargetPageSize = h.TargetPageBits is { } bits ? 1 << (int)bits : _options.DefaultTargetPageSize;
            _pageSize = h.TargetPageSize;
            _header = h;
            return h;
        });
    }

    /// <summary>
    /// Finishes the current record (parsing or scanning what is left of it, then its footer) and
    /// reads the next record's header. Returns false at QEMU_VM_EOF, after reading the JSON
    /// description and counting trailing bytes.
    /// </summary>
    /// <exception cref="MigrationStreamFormatException">The stream is malformed or ends early.</exception>
    public bool ReadNextSection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _dataStream = null;
        return MoveNext();
    }

    /// <summary>Walks the rest of the stream, yielding each record once it is complete.</summary>
    public IEnumerable<QemuSection> ReadCompletedSections()
    {
        QemuSection? pending = _current is { IsComplete: false } ? _current : null;
        while (ReadNextSection())
        {
            if (pending is not null) yield return pending;
            pending = _current;
        }
        if (pending is not null) yield return pending;
    }

    /// <summary>
    /// Walks forward to the first DEV_DATA_STATE block of a VFIO device - the one named
    /// <paramref name="idStr"/>, or the first VFIO device of the stream - and returns its data as
    /// a stream. When there is none, walks to the end and says why (<see cref="QemuDeviceLookup.Status"/>).
    /// </summary>
    public QemuDeviceLookup FindDeviceData(string? idStr = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReadHeader();
        _dataStream = null;
        QemuVfioDevice? target = null;
        while (true)
        {
            if (_current is { IsComplete: false, Handler: QemuHandlerKind.Vfio } s && DeviceOf(s) is { } device
                && (idStr is null ? ReferenceEquals(device, _devices[0]) : s.IdStr == idStr))
            {
                target = device;
                if (!_vfioTagsDone && Guard(() => NextVfioTag(s)))
                {
                    _dataStream = new VfioDeviceDataStream(this, device);
                    return new QemuDeviceLookup(QemuDeviceLookupStatus.Found, device, _dataStream, _devices, Summary, null);
                }
                if (s.Type == QemuRecordType.SectionEnd) break;
            }
            if (!MoveNext())
                return new QemuDeviceLookup(
                    target is not null ? QemuDeviceLookupStatus.MissingEnd
                    : _devices.Count == 0 ? QemuDeviceLookupStatus.NoVfioDevice
                    : QemuDeviceLookupStatus.DeviceNotFound,
                    target, null, _devices, Summary, idStr);
        }

        // The device's END held no data: walk on for the config section (multifd evidence).
        MigrationStreamFormatException? rest = null;
        try
        {
            while (MoveNext())
            {
            }
        }
        catch (MigrationStreamFormatException e)
        {
            rest = e;
        }
        return new QemuDeviceLookup(QemuDeviceLookupStatus.NoData, target, null, _devices, Summary, idStr) { WalkError = rest };
    }

    /// <summary>Closes the source unless told to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _src.Dispose();
    }

    private bool MoveNext()
    {
        if (_header is null) ReadHeader();
        return Guard(() =>
        {
            if (_current is { IsComplete: false } c) Complete(c);
            if (_finished) return false;
            return ReadRecord();
        });
    }

    private bool ReadRecord()
    {
        var at = _src.Position;
        var index = Summary.Records;
        if (_src.AtEnd)
            throw Fail(at, "qemu stream", $"ends after {index} records without QEMU_VM_EOF (0x00)");
        var type = (QemuRecordType)_src.ReadByte("qemu record type");
        QemuSection section;
        switch (type)
        {
            case QemuRecordType.Eof:
                ReadEnd(at);
                return false;
            case QemuRecordType.SectionStart or QemuRecordType.SectionFull:
                section = ReadLongHeader(index, type, at);
                break;
            case QemuRecordType.SectionPart or QemuRecordType.SectionEnd:
                section = ReadShortHeader(index, type, at);
                break;
            case QemuRecordType.Command:
                section = ReadCommand(index, at);
                break;
            default:
                throw Fail(at, $"qemu record #{index} type", $"is 0x{(byte)type:X2}; expected a section (0x01-0x04), a command (0x08) or EOF (0x00)"
                    + (type == QemuRecordType.SectionFooter ? " - a footer where no section is open" : ""));
        }
        Summary.Records = index + 1;
        _current = section;
        _options.OnRecord?.Invoke(section);
        _vfioTagsDone = false;
        _blockRemaining = 0;
        return true;
    }

    private QemuSection ReadLongHeader(int index, QemuRecordType type, long at)
    {
        var where = $"qemu record #{index} ({QemuText.RecordName(type)}) header";
        var id = _src.ReadBe32(where + ".section_id");
        var lenAt = _src.Position;
        var len = _src.ReadByte(where + ".idstr_len");
        if (len == 0) throw Fail(lenAt, where + ".idstr_len", "is 0; an idstr has 1 to 255 bytes");
        var idStr = _src.ReadAscii(len, where + ".idstr");
        var instance = _src.ReadBe32(where + ".instance_id");
        var version = _src.ReadBe32(where + ".version_id");
        var s = new QemuSection(index, type, at) { SectionId = id, IdStr = idStr, InstanceId = instance, VersionId = version, PayloadOffset = _src.Position };

        _handlers.TryGetValue(id, out var h);
        if (h is not null && h.IdStr != idStr)
            throw Fail(at + 1, where + ".section_id", $"{id} is already the id of '{h.IdStr}', not '{idStr}'");
        if (type == QemuRecordType.SectionStart)
        {
            if (h is { StartIndex: >= 0 }) throw Fail(at + 1, where + ".section_id", $"{id} ('{idStr}') already had a START section");
            h ??= NewHandler(id, idStr, at);
            h.StartIndex = _started.Count;
            h.InstanceId = instance;
            h.VersionId = version;
            _started.Add(h);
            h.Kind = idStr switch
            {
                QemuFormat.RamIdStr => QemuHandlerKind.Ram,
                QemuFormat.BlockIdStr => QemuHandlerKind.Block,
                QemuFormat.DirtyBitmapIdStr => QemuHandlerKind.DirtyBitmap,
                _ => QemuFormat.IsVfioIdStr(idStr) ? QemuHandlerKind.Vfio : QemuHandlerKind.Other,
            };
            if (h.Kind == QemuHandlerKind.Vfio)
            {
                h.Device = new QemuVfioDevice(idStr, id, instance, version, at) { Stream = Summary };
                _devices.Add(h.Device);
            }
            s.Handler = h.Kind;
        }
        else
        {
            if (h is { FullSeen: true }) throw Fail(at + 1, where + ".section_id", $"{id} ('{idStr}') already had a FULL section");
            h ??= NewHandler(id, idStr, at);
            h.FullSeen = true;
            s.FullOrdinal = _fullCount++;
            s.Handler = QemuFormat.IsVfioIdStr(idStr) ? QemuHandlerKind.VfioConfig : QemuHandlerKind.Other;
        }
        return s;
    }

    private QemuSection ReadShortHeader(int index, QemuRecordType type, long at)
    {
        var where = $"qemu record #{index} ({QemuText.RecordName(type)}) header";
        var id = _src.ReadBe32(where + ".section_id");
        if (!_handlers.TryGetValue(id, out var h) || h.StartIndex < 0)
            throw Fail(at + 1, where + ".section_id", $"{id} has no START section before it");
        if (h.Ended)
            throw Fail(at + 1, where + ".section_id", $"{id} ('{h.IdStr}') already had its END section");
        var s = new QemuSection(index, type, at)
        {
            SectionId = id, IdStr = h.IdStr, InstanceId = h.InstanceId, VersionId = h.VersionId, Handler = h.Kind, PayloadOffset = _src.Position,
        };
        if (type == QemuRecordType.SectionPart) _sawPart = true;
        else
        {
            _sawEnd = true;
            h.Ended = true;
            if (h.Device is { } d)
            {
                d.EndSectionOffset = at;
                d.EndPayloadOffset = s.PayloadOffset;
            }
        }
        return s;
    }

    private QemuSection ReadCommand(int index, long at)
    {
        var where = $"qemu record #{index} (COMMAND)";
        var command = (QemuVmCommand)_src.ReadBe16(where + ".cmd");
        var length = _src.ReadBe16(where + ".len");
        var s = new QemuSection(index, QemuRecordType.Command, at) { Command = command, CommandLength = length, Handler = QemuHandlerKind.None, PayloadOffset = _src.Position };
        if (command == QemuVmCommand.Packaged)
        {
            // The packaged records follow inline (postcopy): the be32 is their length, and they
            // are walked like any other records.
            if (length != 4) throw Fail(at + 3, where + ".len", $"is {length}; MIG_CMD_PACKAGED carries a be32 length");
            _src.ReadBe32(where + ".packaged_length");
        }
        else
        {
            _src.Skip(length, where + ".data");
        }
        s.PayloadEnd = s.EndOffset = _src.Position;
        s.IsComplete = true;
        return s;
    }

    private void ReadEnd(long at)
    {
        Summary.EofOffset = at;
        if (_descriptionOffset >= 0 && at + 1 != _descriptionOffset)
            throw Fail(at, "qemu record type", $"is QEMU_VM_EOF (0x00) at {at}, but QEMU's vmstate description sits at {_descriptionOffset}, right after the real EOF: a record type byte is corrupt");
        foreach (var h in _started)
            if (!h.Ended)
                throw Fail(at, "qemu record type", $"is QEMU_VM_EOF (0x00), but the live handler '{h.IdStr}' has had no END section: QEMU completes every live handler before EOF (a record is corrupt)");
        var next = _src.Peek(1);
        if (next.Length == 1 && next[0] == (byte)QemuRecordType.VmDescription)
        {
            Summary.VmDescriptionOffset = _src.Position;
            _src.Advance(1);
            var length = _src.ReadBe32("qemu vmdescription.len");
            Summary.VmDescriptionLength = length;
            var description = _description;
            if (description is null && length <= QemuVmDescription.MaxLength)
            {
                var jsonAt = _src.Position;
                var json = new byte[length];
                if (_src.Read(json) is var n && n < json.Length) ReadRest(json, n, jsonAt);
                description = QemuVmDescription.Parse(json, jsonAt);
                ConfirmScanned(description, at);
            }
            else
            {
                _src.Skip(length, "qemu vmdescription.json");
            }
            if (description is not null && description.Devices.Count != _fullCount)
                throw Fail(at, "qemu record type", $"is QEMU_VM_EOF after {_fullCount} FULL sections, but QEMU's vmstate description lists {description.Devices.Count}");
        }
        else if (next.Length == 1)
        {
            throw Fail(at + 1, "qemu stream after QEMU_VM_EOF", $"is 0x{next[0]:X2}, not the JSON description (0x06) or the end of the stream: QEMU writes nothing else after EOF, so the EOF at {at} is a corrupt record");
        }
        Summary.EndOffset = _src.Position;
        Summary.TrailingBytes = _src.SkipToEnd();
        _finished = true;
    }

    private void ReadRest(byte[] buffer, int have, long at)
    {
        while (have < buffer.Length)
        {
            var n = _src.Read(buffer.AsSpan(have));
            if (n == 0) throw MigrationStreamFormatException.Truncated(at, -1, null, "qemu vmdescription.json", (ulong)have, (ulong)buffer.Length);
            have += n;
        }
    }

    /// <summary>The description of FULL section <paramref name="s"/>, checked against its header; null without one.</summary>
    private QemuVmsdDevice? DescriptionOf(QemuSection s)
    {
        if (_description is null || s.Type != QemuRecordType.SectionFull) return null;
        return Described(_description, s);
    }

    private static QemuVmsdDevice Described(QemuVmDescription description, QemuSection s)
    {
        var devices = description.Devices;
        if (s.FullOrdinal >= devices.Count)
            throw Fail(s.Offset, $"qemu {s.Label} header", $"is FULL section {s.FullOrdinal + 1}, but QEMU's vmstate description lists only {devices.Count}");
        var d = devices[s.FullOrdinal];
        if (d.Name != s.IdStr || d.InstanceId != s.InstanceId)
            throw Fail(s.Offset, $"qemu {s.Label} header", $"names '{s.IdStr}' instance {s.InstanceId}, but QEMU's vmstate description lists '{d.Name}' instance {d.InstanceId} as FULL section {s.FullOrdinal + 1}");
        return d;
    }

    /// <summary>
    /// Walks a vmstate as QEMU described it (qemu/qemu migration/vmstate.c@58deb358:vmstate_save_state_v,
    /// vmstate_subsection_save): each field's measured size, then each subsection's
    /// <c>0x05 | u8 len | name | be32 version</c> header, checked, and its own fields.
    /// </summary>
    private void WalkVmstate(QemuSection s, QemuVmsdStruct layout, string where)
    {
        foreach (var f in layout.Fields)
            if (f.Bytes > 0) _src.Skip((ulong)f.Bytes, $"{where} field '{f.Name}'");
        foreach (var sub in layout.Subsections)
        {
            var field = $"{where} subsection '{sub.Name}'";
            var at = _src.Position;
            var marker = _src.ReadByte(field);
            if (marker != (byte)QemuRecordType.Subsection)
                throw Fail(at, field, $"is 0x{marker:X2} where QEMU's vmstate description puts a subsection (0x05)");
            var length = _src.ReadByte(field + " name length");
            var name = _src.ReadAscii(length, field + " name");
            if (name != sub.Name) throw Fail(at + 2, field + " name", $"is '{name}', but QEMU's vmstate description says '{sub.Name}'");
            var versionAt = _src.Position;
            var version = _src.ReadBe32(field + " version_id");
            if (version != sub.Version) throw Fail(versionAt, field + " version_id", $"is {version}, but QEMU's vmstate description says {sub.Version}");
            WalkVmstate(s, sub.Layout, field);
        }
    }

    /// <summary>After an exactly delimited section without a footer: a record must start where it ends.</summary>
    private void ExpectRecord(QemuSection s, bool bareEof)
    {
        var atEnd = _src.Fill(Lookahead) < Lookahead;
        var w = _src.Buffered;
        if (!IsRecordStart(w, atEnd, bareEof))
        {
            var found = w.IsEmpty ? "the end of the stream" : "0x" + Convert.ToHexString(w[..Math.Min(8, w.Length)]);
            var how = s.Delimitation == QemuDelimitation.Described ? "as QEMU's vmstate description says" : "by its fixed layout";
            throw Fail(_src.Position, $"qemu {s.Label}", $"ends here {how}, but no record QEMU writes next starts here (found {found}): the stream is corrupt or cut short");
        }
    }

    /// <summary>
    /// The "globalstate" vmstate, version 1, the last FULL section QEMU writes: be32 size and a
    /// 100-byte buffer (qemu/qemu migration/global_state.c@c8193acc:vmstate_globalstate; newer
    /// QEMU splits the buffer into fields of the same 100 bytes), no subsections. Known exactly, so
    /// a stream without footers or description still ends at an EOF that is not a guess.
    /// </summary>
    private void ParseGlobalState(QemuSection s)
    {
        var field = $"qemu {s.Label} globalstate";
        var at = _src.Position;
        var size = _src.ReadBe32(field + ".size");
        if (size > 100) throw Fail(at, field + ".size", $"is {size}; the runstate name has at most 100 bytes");
        _src.Skip(100, field + ".runstate");
        s.PayloadEnd = _src.Position;
    }

    /// <summary>With the description read at the end (a stream that could not be read from its end
    /// first), checks every scanned FULL section's length against it.</summary>
    private void ConfirmScanned(QemuVmDescription description, long eofAt)
    {
        if (description.Devices.Count != _fullCount)
            throw Fail(eofAt, "qemu record type", $"is QEMU_VM_EOF after {_fullCount} FULL sections, but QEMU's vmstate description lists {description.Devices.Count}: a section boundary was scanned wrong, or a record is corrupt");
        foreach (var (_, s) in _scannedFulls)
        {
            var expected = Described(description, s).Layout.Length;
            if (s.PayloadLength != expected)
                throw Fail(s.PayloadOffset, $"qemu {s.Label}", $"was delimited by scanning at {s.PayloadLength} bytes, but QEMU's vmstate description says {expected}: the record list is not what QEMU wrote");
            s.Confirmed = true;
            Summary.ConfirmedSections++;
        }
    }

    private void Complete(QemuSection s)
    {
        switch (s.Handler)
        {
            case QemuHandlerKind.Ram:
                ParseRam(s);
                ReadFooter(s);
                break;
            case QemuHandlerKind.Block:
                ParseBlock(s);
                ReadFooter(s);
                break;
            case QemuHandlerKind.DirtyBitmap:
                ParseDirtyBitmap(s);
                ReadFooter(s);
                break;
            case QemuHandlerKind.Vfio:
                SkipVfioTags(s);
                ReadFooter(s);
                break;
            case QemuHandlerKind.VfioConfig:
                if (DescriptionOf(s) is { } config) ParseVfioConfig(s, config.Layout.Length);
                else ParseVfioConfig(s, -1);
                ReadFooter(s);
                break;
            case QemuHandlerKind.Other when DescriptionOf(s) is { } device:
                WalkVmstate(s, device.Layout, $"qemu {s.Label} vmstate");
                s.PayloadEnd = _src.Position;
                s.Delimitation = QemuDelimitation.Described;
                Summary.DescribedSections++;
                ReadFooter(s);
                break;
            case QemuHandlerKind.Other when s.Type == QemuRecordType.SectionFull && s.IdStr == QemuFormat.GlobalStateIdStr && s.VersionId == 1:
                ParseGlobalState(s);
                ReadFooter(s);
                if (!s.HasFooter) ExpectRecord(s, bareEof: true);
                break;
            case QemuHandlerKind.Other:
                s.Delimitation = QemuDelimitation.Scanned;
                Summary.ScannedSections++;
                ScanToBoundary(s, endOfStatePrefix: false);
                s.PayloadEnd = _src.Position;
                ReadFooter(s);
                break;
        }
        if (s.Delimitation == QemuDelimitation.Scanned && s.Type == QemuRecordType.SectionFull) _scannedFulls.Add((s.FullOrdinal, s));
        if (s.Delimitation == QemuDelimitation.Described && !s.HasFooter) ExpectRecord(s, bareEof: false);
        s.EndOffset = _src.Position;
        s.IsComplete = true;
    }

    /// <summary>Reads <c>7E id</c> when footers are on; decides whether they are on from the first
    /// section that ends (a record never starts with 0x7E, so the test is exact).</summary>
    private void ReadFooter(QemuSection s)
    {
        if (Summary.SectionFooters == false) return;
        var at = _src.Position;
        var peek = _src.Peek(5);
        var present = peek.Length == 5 && peek[0] == (byte)QemuRecordType.SectionFooter
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(peek[1..]) == s.SectionId;
        if (Summary.SectionFooters is null)
        {
            Summary.SectionFooters = present;
        }
        else if (!present)
        {
            var found = peek.Length == 0 ? "the end of the stream" : "0x" + Convert.ToHexString(peek);
            throw Fail(at, $"qemu {s.Label} footer", $"expected 7E {s.SectionId:X8} (footers are on in this stream), found {found}");
        }
        if (!present) return;
        _src.Advance(5);
        s.HasFooter = true;
    }

    private void ReadConfiguration(QemuStreamHeader h)
    {
        var at = _src.Position;
        _src.Advance(1);
        h.HasConfiguration = true;
        h.ConfigurationOffset = at;
        var lenAt = _src.Position;
        var len = _src.ReadBe32("qemu configuration.len");
        if (len is 0 or > 256) throw Fail(lenAt, "qemu configuration.len", $"is {len}; a machine type name has 1 to 256 bytes");
        h.MachineType = _src.ReadAscii((int)len, "qemu configuration.name");
        var capabilities = new List<string>();
        var unknown = new List<string>();
        while (_src.Peek(1) is [(byte)QemuRecordType.Subsection])
        {
            _src.Advance(1);
            var nameLength = _src.ReadByte("qemu configuration subsection.name_len");
            var name = _src.ReadAscii(nameLength, "qemu configuration subsection.name");
            _src.ReadBe32($"qemu configuration subsection '{name}'.version_id");
            switch (name)
            {
                case "configuration/target-page-bits":
                    var bitsAt = _src.Position;
                    var bits = _src.ReadBe32("qemu configuration/target-page-bits");
                    if (bits is < 10 or > 24) throw Fail(bitsAt, "qemu configuration/target-page-bits", $"is {bits}; expected 10 to 24");
                    h.TargetPageBits = bits;
                    break;
                case "configuration/capabilities":
                    var countAt = _src.Position;
                    var count = _src.ReadBe32("qemu configuration/capabilities.caps_count");
                    if (count > 64) throw Fail(countAt, "qemu configuration/capabilities.caps_count", $"is {count}; QEMU validates a handful");
                    for (var i = 0; i < count; i++)
                    {
                        var capLength = _src.ReadByte($"qemu configuration/capabilities[{i}].len");
                        capabilities.Add(_src.ReadAscii(capLength, $"qemu configuration/capabilities[{i}]"));
                    }
                    break;
                case "configuration/uuid":
                    var uuid = new byte[16];
                    for (var i = 0; i < 16; i++) uuid[i] = _src.ReadByte("qemu configuration/uuid");
                    h.Uuid = new Guid(uuid, bigEndian: true);
                    break;
                default:
                    // A subsection this reader does not know has no length: scan to the first record.
                    unknown.Add(name);
                    Summary.ScannedConfiguration = true;
                    h.Capabilities = capabilities;
                    h.UnknownSubsections = unknown;
                    ScanToBoundary(null, endOfStatePrefix: false);
                    return;
            }
        }
        h.Capabilities = capabilities;
        h.UnknownSubsections = unknown;
    }

    private Handler NewHandler(uint id, string idStr, long at)
    {
        if (_handlers.Count >= MaxHandlers)
            throw Fail(at, "qemu section_id", $"would be the {MaxHandlers + 1}th distinct section id; real streams have a few hundred");
        var h = new Handler(idStr);
        _handlers.Add(id, h);
        return h;
    }

    private QemuVfioDevice? DeviceOf(QemuSection s) => _handlers.TryGetValue(s.SectionId, out var h) ? h.Device : null;

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (MigrationStreamFormatException)
        {
            _finished = true;
            throw;
        }
    }

    private static MigrationStreamFormatException Fail(long offset, string field, string problem) =>
        new(offset, -1, null, field, problem);

    private static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>A registered handler, keyed by section id.</summary>
    private sealed class Handler(string idStr)
    {
        public string IdStr { get; } = idStr;
        public uint InstanceId { get; set; }
        public uint VersionId { get; set; }
        public QemuHandlerKind Kind { get; set; } = QemuHandlerKind.Other;
        public int StartIndex { get; set; } = -1;
        public bool Ended { get; set; }
        public bool FullSeen { get; set; }
        public QemuVfioDevice? Device { get; set; }
    }
}
