namespace XeStreamKit.Qemu;

public sealed partial class QemuMigrationReader
{
    private bool _vfioTagsDone;
    private ulong _blockRemaining;
    private ulong _blockSize;
    private long _blockOffset;
    private VfioDeviceDataStream? _dataStream;
    private VfioFieldNames? _vfioNames;

    /// <summary>
    /// Reads the current VFIO section's next tag (hw/vfio/migration.c, <c>vfio_load_state</c>):
    /// <code>
    ///  DEV_SETUP_STATE END_OF_STATE                       START
    ///  { DEV_DATA_STATE be64 size | size bytes }* END_OF_STATE    PART / END (STOP_COPY data)
    ///  DEV_INIT_DATA_SENT                                 pre-copy with switchover-ack, no payload
    ///  DEV_CONFIG_LOAD_READY                              ends the section (config over multifd)
    /// </code>
    /// Returns true at a data block of at least one byte (its size is then in _blockRemaining),
    /// false once the section's tags are done.
    /// </summary>
    private bool NextVfioTag(QemuSection s)
    {
        var v = s.Vfio ??= new VfioSectionStats();
        var device = DeviceOf(s);
        var names = NamesOf(s);
        var field = names.Tag;
        while (true)
        {
            var at = _src.Position;
            var tag = _src.ReadBe64(field);
            switch ((VfioMigrationTag)tag)
            {
                case VfioMigrationTag.EndOfState:
                    v.EndOfStateOffset = at;
                    TagsDone(s, device);
                    return false;
                case VfioMigrationTag.DevDataState:
                    var sizeAt = _src.Position;
                    var size = _src.ReadBe64(names.DataStateSize);
                    if (size > long.MaxValue) throw Fail(sizeAt, names.DataStateSize, $"{Hex(size)} is not a byte count");
                    CountBlock(s, v, device, size);
                    if (size == 0) continue;
                    _blockRemaining = _blockSize = size;
                    _blockOffset = _src.Position;
                    return true;
                case VfioMigrationTag.DevSetupState:
                    v.SetupState = true;
                    var endAt = _src.Position;
                    var end = _src.ReadBe64(names.AfterSetupState);
                    if (end != (ulong)VfioMigrationTag.EndOfState)
                        throw Fail(endAt, names.AfterSetupState, $"is 0x{end:X16}; DEV_SETUP_STATE must be followed by END_OF_STATE");
                    v.EndOfStateOffset = endAt;
                    TagsDone(s, device);
                    return false;
                case VfioMigrationTag.DevInitDataSent:
                    v.InitDataSent = true;
                    continue;
                case VfioMigrationTag.DevConfigLoadReady:
                    v.ConfigLoadReady = true;
                    TagsDone(s, device);
                    return false;
                case VfioMigrationTag.DevConfigState:
                    throw Fail(at, field, "is DEV_CONFIG_STATE inside a START/PART/END section: VFIO migration protocol v1 (QEMU before 8.0) is not supported");
                default:
                    throw Fail(at, field, $"0x{tag:X16} is not a VFIO migration tag (0xFFFFFFFFEF100001 to ...06)");
            }
        }
    }

    private void CountBlock(QemuSection s, VfioSectionStats v, QemuVfioDevice? device, ulong size)
    {
        var dataAt = _src.Position;
        if (v.DataBlocks == 0 && device is not null)
        {
            device.SectionsWithData++;
            if (s.Type != QemuRecordType.SectionEnd) device.DataOutsideEnd = true;
        }
        v.Add(size, dataAt);
        device?.Add(size, dataAt);
    }

    private void TagsDone(QemuSection s, QemuVfioDevice? device)
    {
        _vfioTagsDone = true;
        s.PayloadEnd = _src.Position;
        if (s.Type != QemuRecordType.SectionEnd || device is null) return;
        device.Ended = true;
        device.EndOfStateOffset = s.Vfio!.EndOfStateOffset;
    }

    private void SkipVfioTags(QemuSection s)
    {
        s.Vfio ??= new VfioSectionStats();
        while (true)
        {
            if (_blockRemaining > 0)
            {
                _src.Skip(_blockRemaining, NamesOf(s).DataBlock);
                _blockRemaining = 0;
            }
            if (_vfioTagsDone || !NextVfioTag(s)) return;
        }
    }

    /// <summary>
    /// A VFIO device's FULL section (<c>vfio_save_state</c>): DEV_CONFIG_STATE, the vfio-pci config
    /// vmstate, END_OF_STATE. Under multifd device state transfer QEMU writes a lone END_OF_STATE
    /// ("dummy EOS") or DEV_CONFIG_LOAD_READY instead. With QEMU's JSON description the payload's
    /// length (<paramref name="described"/>, its one "data" buffer) is known; without it, the
    /// config vmstate is scanned to an END_OF_STATE followed by a record boundary.
    /// </summary>
    private void ParseVfioConfig(QemuSection s, long described)
    {
        var v = s.Vfio = new VfioSectionStats();
        if (DeviceOf(s) is { } device) device.Config = v;
        var field = $"qemu {s.Label} VFIO tag";
        var at = _src.Position;
        if (described is >= 0 and < 8)
            throw Fail(at, field, $"cannot fit: QEMU's vmstate description gives the section {described} bytes");
        var tag = _src.ReadBe64(field);
        switch ((VfioMigrationTag)tag)
        {
            case VfioMigrationTag.EndOfState:
                v.DummyEndOfState = true;
                v.EndOfStateOffset = at;
                break;
            case VfioMigrationTag.DevConfigLoadReady:
                v.ConfigLoadReady = true;
                break;
            case VfioMigrationTag.DevConfigState when described >= 0:
                v.ConfigState = true;
                if (described < 16) throw Fail(at, field, $"is DEV_CONFIG_STATE, but QEMU's vmstate description gives the section only {described} bytes");
                _src.Skip((ulong)(described - 16), $"qemu {s.Label} vfio-pci config");
                v.EndOfStateOffset = _src.Position;
                var end = _src.ReadBe64(field + " END_OF_STATE");
                if (end != (ulong)VfioMigrationTag.EndOfState)
                    throw Fail(v.EndOfStateOffset, field + " END_OF_STATE", $"is 0x{end:X16} where QEMU's vmstate description ends the config; expected END_OF_STATE");
                break;
            case VfioMigrationTag.DevConfigState:
                v.ConfigState = true;
                s.Delimitation = QemuDelimitation.Scanned;
                Summary.ScannedSections++;
                ScanToBoundary(s, endOfStatePrefix: true);
                v.EndOfStateOffset = _src.Position;
                _src.Skip(8, field + " END_OF_STATE");
                break;
            default:
                throw Fail(at, field, $"is 0x{tag:X16}; a VFIO config section starts with DEV_CONFIG_STATE (or END_OF_STATE under multifd)");
        }
        s.PayloadEnd = _src.Position;
        if (described < 0) return;
        if (s.PayloadLength != described)
            throw Fail(at, field, $"ends the section at {s.PayloadLength} bytes, but QEMU's vmstate description gives it {described}");
        s.Delimitation = QemuDelimitation.Described;
        Summary.DescribedSections++;
    }

    /// <summary>Reads device data for <paramref name="stream"/>: the rest of the current block,
    /// then the next blocks of the section, then - for pre-copy devices - the blocks of its later
    /// PART and END sections, walking whatever lies between. 0 after the END's END_OF_STATE.</summary>
    internal int ReadDeviceData(VfioDeviceDataStream stream, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!ReferenceEquals(_dataStream, stream))
            throw new InvalidOperationException("The QEMU reader has moved past this device's data.");
        if (destination.IsEmpty || stream.Ended) return 0;
        try
        {
            while (true)
            {
                var s = _current!;
                if (_blockRemaining > 0)
                {
                    var n = _src.Read(destination[..(int)Math.Min((ulong)destination.Length, _blockRemaining)]);
                    if (n == 0)
                        throw MigrationStreamFormatException.Truncated(_blockOffset, -1, null, NamesOf(s).DataBlock, _blockSize - _blockRemaining, _blockSize);
                    _blockRemaining -= (ulong)n;
                    return n;
                }
                if (!_vfioTagsDone && NextVfioTag(s)) continue;
                if (s.Type == QemuRecordType.SectionEnd)
                {
                    Complete(s);
                    stream.Ended = true;
                    return 0;
                }
                MoveToNextSectionOf(stream.Device);
            }
        }
        catch (MigrationStreamFormatException)
        {
            _finished = true;
            throw;
        }
    }

    /// <summary>Skips the rest of the device data (seeking when the source can).</summary>
    internal void SkipDeviceData(VfioDeviceDataStream stream)
    {
        if (!ReferenceEquals(_dataStream, stream))
            throw new InvalidOperationException("The QEMU reader has moved past this device's data.");
        if (stream.Ended) return;
        Guard(() =>
        {
            while (true)
            {
                var s = _current!;
                if (s.Type == QemuRecordType.SectionEnd)
                {
                    Complete(s);
                    stream.Ended = true;
                    return true;
                }
                SkipVfioTags(s);
                MoveToNextSectionOf(stream.Device);
            }
        });
    }

    /// <summary>Walks the records after the current one to <paramref name="device"/>'s next
    /// START/PART/END section; fails at QEMU_VM_EOF.</summary>
    private void MoveToNextSectionOf(QemuVfioDevice device)
    {
        do
        {
            if (!MoveNext())
                throw Fail(_src.Position, $"qemu device data of '{device.IdStr}'", "ends at QEMU_VM_EOF without the device's END section");
        }
        while (_current!.Handler != QemuHandlerKind.Vfio || _current.SectionId != device.SectionId);
    }

    /// <summary>The field names of <paramref name="s"/>'s tags (for errors), built once per section
    /// rather than per data block.</summary>
    private VfioFieldNames NamesOf(QemuSection s) =>
        _vfioNames is { } names && ReferenceEquals(names.Section, s) ? names : _vfioNames = new VfioFieldNames(s);

    private sealed class VfioFieldNames
    {
        public VfioFieldNames(QemuSection section)
        {
            Section = section;
            Tag = $"qemu {section.Label} VFIO tag";
            DataStateSize = Tag + " DEV_DATA_STATE size";
            AfterSetupState = Tag + " after DEV_SETUP_STATE";
            DataBlock = $"qemu {section.Label} device data block";
        }

        public QemuSection Section { get; }
        public string Tag { get; }
        public string DataStateSize { get; }
        public string AfterSetupState { get; }
        public string DataBlock { get; }
    }
}
