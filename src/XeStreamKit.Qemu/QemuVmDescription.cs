using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.IO;

namespace XeStreamKit.Qemu;

/// <summary>
/// QEMU's JSON description of the FULL (vmstate) sections it wrote, the QEMU_VM_VMDESCRIPTION
/// record after QEMU_VM_EOF: <c>{"page_size": n, "devices": [{"name", "instance_id", "vmsd_name",
/// "version", "fields": [{"name", "type", "size", ["array_len"], ["struct"]}], ["subsections":
/// [{"vmsd_name", "version", "fields", ...}]]}]}</c>.
/// </summary>
/// <remarks>
/// QEMU writes one device object per FULL section, in stream order
/// (qemu/qemu migration/savevm.c@99694362:qemu_savevm_state_complete_precopy_non_iterable), unless
/// the machine's suppress-vmdesc is on or the migration is in postcopy. Each field's "size" is the
/// number of bytes QEMU measured while writing it, per element ("array_len" elements of a
/// compressed array have one size) (migration/vmstate.c@58deb358:vmsd_desc_field_end,
/// vmsd_can_compress); sections without a vmsd write one "data" buffer of the whole payload
/// (savevm.c:vmstate_save_old_style). Subsections follow the fields as <c>0x05 | u8 len | name |
/// be32 version | fields...</c> (vmstate.c:vmstate_subsection_save), listed only when written. So a
/// FULL payload can be walked field by field, as QEMU's scripts/analyze-migration.py
/// (@0002b0db:VMSDFieldStruct.read) does, instead of searched for.
/// </remarks>
public sealed class QemuVmDescription
{
    /// <summary>Longest description read (QEMU's for a large machine is a few hundred KiB).</summary>
    public const int MaxLength = 16 << 20;

    private QemuVmDescription(int? pageSize, IReadOnlyList<QemuVmsdDevice> devices)
    {
        PageSize = pageSize;
        Devices = devices;
    }

    /// <summary>The "page_size" QEMU wrote, if any.</summary>
    public int? PageSize { get; }

    /// <summary>One entry per FULL section, in stream order.</summary>
    public IReadOnlyList<QemuVmsdDevice> Devices { get; }

    /// <summary>Parses the JSON; <paramref name="offset"/> (of its first byte) is for errors.</summary>
    /// <exception cref="MigrationStreamFormatException">It is not a vmstate description.</exception>
    public static QemuVmDescription Parse(ReadOnlySpan<byte> json, long offset)
    {
        const string field = "qemu vmdescription.json";
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array)
                throw new FormatException("it has no \"devices\" array");
            int? pageSize = root.TryGetProperty("page_size", out var ps) && ps.TryGetInt32(out var p) ? p : null;
            var list = new List<QemuVmsdDevice>();
            var i = 0;
            foreach (var d in devices.EnumerateArray())
            {
                var where = string.Create(CultureInfo.InvariantCulture, $"devices[{i++}]");
                var name = String(d, "name", where);
                var instance = d.TryGetProperty("instance_id", out var inst) && inst.TryGetUInt32(out var iv) ? iv
                    : throw new FormatException($"{where} has no \"instance_id\"");
                list.Add(new QemuVmsdDevice(name, instance, Struct(d, where + " '" + name + "'")));
            }
            return new QemuVmDescription(pageSize, list);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new MigrationStreamFormatException(offset, -1, null, field, $"is not QEMU's vmstate description: {e.Message}");
        }
    }

    /// <summary>
    /// Finds the description at the end of a seekable <paramref name="stream"/> without moving it:
    /// the last <c>00 06 be32 len '{'</c> whose JSON reaches exactly the end of the stream.
    /// Returns the record's offset relative to the stream's position, or -1 (not seekable, no
    /// description, or one longer than <see cref="MaxLength"/>).
    /// </summary>
    public static long Locate(Stream stream, out byte[]? json)
    {
        json = null;
        if (!StreamProbe.TryRemaining(stream, out var remaining)) return -1;
        var start = stream.Position;
        try
        {
            // Read backwards in chunks; each candidate 0x06 at p needs be32(p+1) == remaining - p - 5.
            const int Chunk = 64 * 1024;
            var buffer = new byte[Chunk + 6];
            var lowest = Math.Max(9, remaining - 5 - MaxLength);
            var chunkEnd = remaining;
            while (chunkEnd > lowest)
            {
                var chunkStart = Math.Max(lowest - 1, chunkEnd - Chunk);
                var count = (int)Math.Min(buffer.Length, remaining - chunkStart);
                stream.Position = start + chunkStart;
                stream.ReadExactly(buffer, 0, count);
                for (var i = (int)(chunkEnd - chunkStart) - 1; i >= 1; i--)
                {
                    var p = chunkStart + i;
                    if (p < lowest || buffer[i] != (byte)QemuRecordType.VmDescription || i + 6 > count) continue;
                    var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(i + 1));
                    if (length != remaining - p - 5 || buffer[i + 5] != (byte)'{' || buffer[i - 1] != (byte)QemuRecordType.Eof) continue;
                    json = new byte[length];
                    stream.Position = start + p + 5;
                    stream.ReadExactly(json);
                    return p;
                }
                chunkEnd = chunkStart + 1;
            }
            return -1;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            json = null;
            return -1;
        }
        finally
        {
            try
            {
                stream.Position = start;
            }
            catch (Exception e) when (e is IOException or NotSupportedException)
            {
            }
        }
    }

    private static QemuVmsdStruct Struct(JsonElement e, string where)
    {
        if (!e.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{where} has no \"fields\"");
        var list = new List<QemuVmsdField>();
        foreach (var f in fields.EnumerateArray())
        {
            var name = String(f, "name", where);
            var size = f.TryGetProperty("size", out var s) && s.TryGetInt64(out var sv) && sv >= 0 ? sv
                : throw new FormatException($"{where} field '{name}' has no \"size\"");
            var count = f.TryGetProperty("array_len", out var a) ? (a.TryGetInt32(out var av) && av >= 0 ? av : throw new FormatException($"{where} field '{name}' has a bad \"array_len\"")) : 1;
            list.Add(new QemuVmsdField(name, f.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", size, count));
        }
        var subsections = new List<QemuVmsdSubsection>();
        if (e.TryGetProperty("subsections", out var subs))
        {
            foreach (var sub in subs.EnumerateArray())
            {
                var name = String(sub, "vmsd_name", where + " subsection");
                var version = sub.TryGetProperty("version", out var v) && v.TryGetUInt32(out var vv) ? vv
                    : throw new FormatException($"{where} subsection '{name}' has no \"version\"");
                if (System.Text.Encoding.UTF8.GetByteCount(name) is 0 or > QemuFormat.MaxIdStrLength)
                    throw new FormatException($"{where} subsection '{name}' has a name QEMU cannot write");
                subsections.Add(new QemuVmsdSubsection(name, version, Struct(sub, where + " subsection '" + name + "'")));
            }
        }
        return new QemuVmsdStruct(list, subsections);
    }

    private static string String(JsonElement e, string name, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
        : throw new FormatException($"{where} has no \"{name}\"");
}

/// <summary>One FULL section as QEMU described it.</summary>
/// <param name="Name">The section's idstr.</param>
/// <param name="InstanceId">Its instance id.</param>
/// <param name="Layout">Its fields and subsections.</param>
public sealed record QemuVmsdDevice(string Name, uint InstanceId, QemuVmsdStruct Layout);

/// <summary>A vmstate's fields, then its subsections.</summary>
public sealed class QemuVmsdStruct(IReadOnlyList<QemuVmsdField> fields, IReadOnlyList<QemuVmsdSubsection> subsections)
{
    /// <summary>Fields in stream order.</summary>
    public IReadOnlyList<QemuVmsdField> Fields { get; } = fields;

    /// <summary>Subsections in stream order (only those QEMU wrote).</summary>
    public IReadOnlyList<QemuVmsdSubsection> Subsections { get; } = subsections;

    /// <summary>Bytes of the whole vmstate: fields, subsection headers and subsections.</summary>
    public long Length => Fields.Sum(f => f.Bytes) + Subsections.Sum(s => 1 + 1 + System.Text.Encoding.UTF8.GetByteCount(s.Name) + 4 + s.Layout.Length);
}

/// <summary>A field: <see cref="Size"/> bytes per element, <see cref="Count"/> elements.</summary>
public sealed record QemuVmsdField(string Name, string Type, long Size, int Count)
{
    /// <summary>Bytes in the stream.</summary>
    public long Bytes => checked(Size * Count);
}

/// <summary>A subsection QEMU wrote: <c>0x05 | u8 len | name | be32 version</c>, then its vmstate.</summary>
public sealed record QemuVmsdSubsection(string Name, uint Version, QemuVmsdStruct Layout);
