using System.Buffers;
using System.Buffers.Binary;

namespace XeStreamKit.Qemu;

public sealed partial class QemuMigrationReader
{
    /// <summary>Largest section id or version a scanned header may carry.</summary>
    public const uint MaxScannedId = 0xFFFF;

    /// <summary>Bytes a boundary check may look at: END_OF_STATE, a footer, the longest START/FULL
    /// header and the first payload word.</summary>
    private const int Lookahead = 8 + 5 + (1 + 4 + 1 + QemuFormat.MaxIdStrLength + 4 + 4) + 16;

    private static readonly SearchValues<byte> AnyRecordStart = SearchValues.Create(0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x7E);
    private static readonly SearchValues<byte> FooterStart = SearchValues.Create(0x7E);
    private static readonly SearchValues<byte> TagStart = SearchValues.Create(0xFF);

    /// <summary>
    /// Moves to the end of a payload that has no length: the first position where the rules in
    /// the class remarks accept a record boundary (with <paramref name="endOfStatePrefix"/>, an
    /// END_OF_STATE tag followed by one). Reads forward through a window of <see cref="Lookahead"/>
    /// bytes; never buffers the payload.
    /// </summary>
    private void ScanToBoundary(QemuSection? s, bool endOfStatePrefix)
    {
        var start = _src.Position;
        var firstBytes = endOfStatePrefix ? TagStart
            : s is not null && Summary.SectionFooters == true ? FooterStart
            : AnyRecordStart;
        while (true)
        {
            var atEnd = _src.Fill(Lookahead) < Lookahead;
            var buffered = _src.Buffered;
            var i = 0;
            var refill = false;
            while (i < buffered.Length)
            {
                var next = buffered[i..].IndexOfAny(firstBytes);
                if (next < 0)
                {
                    i = buffered.Length;
                    break;
                }
                i += next;
                var window = buffered[i..];
                if (window.Length < Lookahead && !atEnd)
                {
                    refill = true;
                    break;
                }
                if (IsBoundary(window, atEnd, s, endOfStatePrefix))
                {
                    _src.Advance(i);
                    return;
                }
                i++;
            }
            if (atEnd && !refill)
            {
                _src.Advance(i);
                var what = s is null ? "qemu configuration" : $"qemu {s.Label}";
                throw Fail(start, what, endOfStatePrefix
                    ? "has no END_OF_STATE followed by a record boundary before the end of the stream"
                    : "has no length and no record boundary follows it before the end of the stream (no footer, section header or EOF was found)");
            }
            _src.Advance(i);
        }
    }

    private bool IsBoundary(ReadOnlySpan<byte> w, bool atEnd, QemuSection? s, bool endOfStatePrefix)
    {
        if (endOfStatePrefix)
        {
            if (w.Length < 8 || BinaryPrimitives.ReadUInt64BigEndian(w) != (ulong)VfioMigrationTag.EndOfState) return false;
            w = w[8..];
        }
        if (s is not null && Summary.SectionFooters != false && w.Length >= 1 && w[0] == (byte)QemuRecordType.SectionFooter)
        {
            // Behind this section's own footer, an EOF that ends the input is trusted (the file
            // lacks only the optional description); without a footer it could be any 0x00 a cut left.
            return w.Length >= 5 && BinaryPrimitives.ReadUInt32BigEndian(w[1..]) == s.SectionId && IsRecordStart(w[5..], atEnd, bareEof: true);
        }
        if (s is not null && Summary.SectionFooters == true) return false;
        return IsRecordStart(w, atEnd, bareEof: false);
    }

    /// <summary>
    /// True when a record QEMU could write next starts at <paramref name="w"/>: a section header
    /// that fits the handlers seen so far, a command followed by such a record, or EOF followed
    /// by the JSON description (a bare EOF at the end of the input only when <paramref name="bareEof"/>).
    /// </summary>
    private bool IsRecordStart(ReadOnlySpan<byte> w, bool atEnd, bool bareEof)
    {
        if (w.IsEmpty) return false;
        switch ((QemuRecordType)w[0])
        {
            case QemuRecordType.Eof:
                if (w.Length == 1) return atEnd && bareEof;
                return w.Length >= 7 && w[1] == (byte)QemuRecordType.VmDescription
                    && BinaryPrimitives.ReadUInt32BigEndian(w[2..]) > 0 && w[6] == (byte)'{';
            case QemuRecordType.SectionStart or QemuRecordType.SectionFull:
                return IsLongHeader(w, start: w[0] == (byte)QemuRecordType.SectionStart);
            case QemuRecordType.SectionPart or QemuRecordType.SectionEnd:
                return IsShortHeader(w, end: w[0] == (byte)QemuRecordType.SectionEnd);
            case QemuRecordType.Command:
                return IsCommand(w, atEnd);
            default:
                return false;
        }
    }

    private bool IsLongHeader(ReadOnlySpan<byte> w, bool start)
    {
        if (w.Length < 6) return false;
        var id = BinaryPrimitives.ReadUInt32BigEndian(w[1..]);
        int len = w[5];
        if (id > MaxScannedId || len == 0 || w.Length < 6 + len + 8) return false;
        var name = w.Slice(6, len);
        foreach (var b in name)
            if (b is < 0x21 or > 0x7E) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(w[(6 + len + 4)..]) > MaxScannedId) return false;
        var idStr = System.Text.Encoding.ASCII.GetString(name);
        var payload = w[(6 + len + 8)..];
        var known = _handlers.TryGetValue(id, out var h);
        if (known && h!.IdStr != idStr) return false;
        if (start)
        {
            if (_sawPart || _sawEnd || (known && h!.StartIndex >= 0)) return false;
            if (payload.Length >= 8)
            {
                var word = BinaryPrimitives.ReadUInt64BigEndian(payload);
                if (idStr == QemuFormat.RamIdStr && !IsRamRecordWord(word, setup: true)) return false;
                if (QemuFormat.IsVfioIdStr(idStr) && word != (ulong)VfioMigrationTag.DevSetupState) return false;
            }
            return true;
        }
        if (known && h!.FullSeen) return false;
        if (QemuFormat.IsVfioIdStr(idStr) && payload.Length >= 8)
        {
            var tag = (VfioMigrationTag)BinaryPrimitives.ReadUInt64BigEndian(payload);
            if (tag is not (VfioMigrationTag.DevConfigState or VfioMigrationTag.EndOfState or VfioMigrationTag.DevConfigLoadReady)) return false;
        }
        return true;
    }

    private bool IsShortHeader(ReadOnlySpan<byte> w, bool end)
    {
        if (w.Length < 5) return false;
        var id = BinaryPrimitives.ReadUInt32BigEndian(w[1..]);
        if (!_handlers.TryGetValue(id, out var h) || h.StartIndex < 0 || h.Ended) return false;
        if (!end && _sawEnd) return false;
        if (end)
        {
            // QEMU completes live handlers in the order it started them.
            for (var i = 0; i < h.StartIndex; i++)
                if (!_started[i].Ended) return false;
        }
        var payload = w[5..];
        if (payload.Length < 8) return true;
        var word = BinaryPrimitives.ReadUInt64BigEndian(payload);
        return h.Kind switch
        {
            QemuHandlerKind.Ram => IsRamRecordWord(word, setup: false),
            QemuHandlerKind.Vfio => (VfioMigrationTag)word is VfioMigrationTag.DevDataState or VfioMigrationTag.EndOfState
                or VfioMigrationTag.DevInitDataSent or VfioMigrationTag.DevConfigLoadReady,
            _ => true,
        };
    }

    /// <summary>A command QEMU writes (savevm.c@99694362:qemu_savevm_command_send and its callers),
    /// with the length it has, followed by a record start (or the end of the look-ahead window).</summary>
    private bool IsCommand(ReadOnlySpan<byte> w, bool atEnd)
    {
        if (w.Length < 5) return false;
        var command = (QemuVmCommand)BinaryPrimitives.ReadUInt16BigEndian(w[1..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(w[3..]);
        if (!HasCommandLength(command, length)) return false;
        var rest = w[Math.Min(w.Length, 5 + length)..];
        if (rest.IsEmpty) return !atEnd;
        return IsRecordStart(rest, atEnd, bareEof: false);
    }

    private static bool HasCommandLength(QemuVmCommand command, int length)
    {
        return command switch
        {
            QemuVmCommand.OpenReturnPath or QemuVmCommand.PostcopyListen or QemuVmCommand.PostcopyRun
                or QemuVmCommand.EnableColo or QemuVmCommand.PostcopyResume or QemuVmCommand.SwitchoverStart => length == 0,
            QemuVmCommand.Ping or QemuVmCommand.Packaged => length == 4,
            // 0 when only dirty-bitmaps is on (savevm.c@99694362:qemu_savevm_send_postcopy_advise).
            QemuVmCommand.PostcopyAdvise => length is 0 or 16,
            QemuVmCommand.PostcopyRamDiscard or QemuVmCommand.RecvBitmap => length > 0,
            _ => false,
        };
    }
}
