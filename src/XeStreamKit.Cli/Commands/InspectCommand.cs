using System.CommandLine;
using System.Text.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Format;
using XeStreamKit.Inspection;
using XeStreamKit.Reading;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk inspect &lt;file|-&gt;</c>: one row per packet and totals, or JSON.</summary>
public static class InspectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("stream") { Description = "Migration stream: a file, a device or fifo, - for stdin, or a QEMU migration file" };
        var json = new Option<bool>("--json") { Description = "Print {\"packets\":[...],\"totals\":{...}} instead of a table" };
        var qemu = StreamInputs.CreateQemuOption();
        var device = StreamInputs.CreateDeviceOption();
        var command = new Command("inspect", "List the packets of a migration stream with offsets, sizes and payload summaries") { input, json, qemu, device };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            using var source = StreamInputs.Open(parse.GetValue(input)!, ctx, parse.GetValue(qemu), parse.GetValue(device));
            return Run(ctx, source.Stream, parse.GetValue(json), source);
        }));
        return command;
    }

    /// <summary>Inspects <paramref name="stream"/>; exit code 0, or 2 after printing what was read when the stream is malformed.
    /// <paramref name="source"/> says where a stream from a QEMU file came from.</summary>
    public static int Run(CliContext ctx, Stream stream, bool json, MigrationInput? source = null)
    {
        using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "inspect", source?.KnownLength ?? Inputs.KnownLength(stream));
        using var reader = new MigrationStreamReader(stream, new MigrationStreamReaderOptions { LeaveOpen = true, Progress = meter });
        var totals = new StreamTotals();
        MigrationStreamFormatException? error = null;
        var container = source is { IsQemu: true } ? source : null;
        IInspectOutput output = json ? new JsonInspectOutput(ctx.StdOut, container) : new TextInspectOutput(ctx.Out, container);
        output.Begin();
        try
        {
            while (reader.ReadNextPacket())
            {
                var summary = StreamInspector.Summarize(reader);
                totals.Add(summary);
                output.Packet(summary);
                meter.Report(reader.Position);
            }
        }
        catch (MigrationStreamFormatException e)
        {
            error = e;
        }
        totals.Bytes = reader.Position;
        output.End(totals, error);
        ctx.Flush();
        if (error is null) return ExitCode.Ok;
        ctx.Error.WriteLine($"xsk: {error.Message}");
        return ExitCode.InvalidStream;
    }

    private interface IInspectOutput
    {
        void Begin();
        void Packet(PacketSummary summary);
        void End(StreamTotals totals, MigrationStreamFormatException? error);
    }

    private sealed class TextInspectOutput(TextWriter w, MigrationInput? container) : IInspectOutput
    {
        public void Begin()
        {
            if (container is not null) w.WriteLine(container.Describe());
            w.WriteLine($"{"stream offset",-18} {"#",5}  {"type",-10} {"tile",4} {"gt",3} {"flags",10} {"offset",18} {"size",14}  summary");
        }

        public void Packet(PacketSummary s)
        {
            var p = s.Packet;
            var h = p.Header;
            w.WriteLine($"{Units.Hex((ulong)p.StreamOffset),-18} {p.Index,5}  {PacketTypeText.Id(h.Type),-10} {h.TileId,4} {h.GtId,3} {Units.Hex(h.Flags),10} {Units.Hex(h.Offset),18} {h.Size,14}  {Describe(s)}");
        }

        public void End(StreamTotals t, MigrationStreamFormatException? error)
        {
            var types = string.Join(", ", t.ByType.Select(x => $"{x.Count} {PacketTypeText.Id(x.Type)}"));
            var ids = t.DeviceId is { } d ? $"; device {Units.Hex(d)} revision {Units.Hex(t.RevisionId ?? 0)}" : "";
            var stop = error is null ? "" : " (stopped at the error below)";
            w.WriteLine($"{t.Packets} packets, {t.Bytes} bytes ({Units.Bytes(t.Bytes)}){(t.Packets > 0 ? ": " + types : "")}{ids}{stop}");
        }

        private static string Describe(PacketSummary s)
        {
            var h = s.Packet.Header;
            if (s.Descriptor is { } d)
            {
                var parts = new List<string>();
                parts.Add(d.DeviceId is { } dev ? $"devid {Units.Hex(dev)}" : "no devid");
                parts.Add(d.RevisionId is { } rev ? $"revid {Units.Hex(rev)}" : "no revid");
                var unknown = d.Klvs.Count(k => !k.IsKnownKey);
                if (unknown > 0) parts.Add($"{unknown} unknown KLV{(unknown == 1 ? "" : "s")} ({string.Join(", ", d.Klvs.Where(k => !k.IsKnownKey).Take(4).Select(k => Units.Hex((ushort)k.Key)))})");
                if (d.KlvCount > d.Klvs.Count) parts.Add($"{d.KlvCount} KLVs in all");
                return string.Join(", ", parts);
            }
            if (s.PteCount is { } ptes) return $"{ptes} PTEs ({Units.Bytes(ptes * 4096.0)} of GGTT)";
            if (s.Registers is { } regs)
            {
                var more = s.RegisterCount > (ulong)regs.Count ? $" (+{s.RegisterCount - (ulong)regs.Count} more)" : "";
                return "registers " + string.Join(" ", regs.Select(r => $"0x{r:X8}")) + more;
            }
            return h.Type switch
            {
                PacketType.Vram => s.VramEnd is { } end ? $"LMEM [{Units.Hex(h.Offset)}, {Units.Hex(end)})" : "LMEM range overflows 64 bits",
                PacketType.Guc => "opaque GuC state",
                PacketType.Trailer => "end of stream",
                _ when !PacketTypeInfo.IsDefined(h.Type) => $"unknown type {(byte)h.Type}, payload skipped",
                _ => "",
            };
        }
    }

    private sealed class JsonInspectOutput(Stream stdout, MigrationInput? container) : IInspectOutput
    {
        private readonly Utf8JsonWriter _w = new(stdout, JsonOut.WriterOptions);

        public void Begin()
        {
            _w.WriteStartObject();
            if (container?.Device is { } d)
            {
                // Only for QEMU files: where the Xe stream below came from.
                _w.WriteStartObject("container");
                _w.WriteString("format", "qemu");
                if (container.QemuHeader?.MachineType is { } machine) _w.WriteString("machineType", machine);
                else _w.WriteNull("machineType");
                _w.WriteString("device", d.IdStr);
                _w.WriteNumber("sectionId", d.SectionId);
                _w.WriteNumber("firstDataOffset", d.FirstDataOffset);
                _w.WriteEndObject();
            }
            _w.WriteStartArray("packets");
        }

        public void Packet(PacketSummary s)
        {
            var p = s.Packet;
            var h = p.Header;
            _w.WriteStartObject();
            _w.WriteNumber("index", p.Index);
            _w.WriteNumber("streamOffset", p.StreamOffset);
            _w.WriteNumber("version", h.Version);
            _w.WriteString("type", PacketTypeText.Id(h.Type));
            _w.WriteNumber("typeId", (byte)h.Type);
            _w.WriteNumber("tileId", h.TileId);
            _w.WriteNumber("gtId", h.GtId);
            _w.WriteNumber("flags", h.Flags);
            _w.WriteNumber("offset", h.Offset);
            _w.WriteNumber("size", h.Size);
            // u64 fields can exceed 2^53, past which JavaScript and jq 1.6 round: exact as hex too.
            _w.WriteString("offsetHex", Units.Hex(h.Offset));
            _w.WriteString("sizeHex", Units.Hex(h.Size));
            if (s.Descriptor is { } d)
            {
                WriteNullable("devid", d.DeviceId);
                WriteNullable("revid", d.RevisionId);
                _w.WriteNumber("klvCount", d.KlvCount);
                _w.WriteStartArray("klvs");
                foreach (var k in d.Klvs)
                {
                    _w.WriteStartObject();
                    _w.WriteNumber("key", (ushort)k.Key);
                    if (KlvKeyInfo.IdOf(k.Key) is { } name) _w.WriteString("name", name);
                    else _w.WriteNull("name");
                    _w.WriteNumber("len", k.Length);
                    _w.WriteNumber("streamOffset", k.StreamOffset);
                    _w.WriteStartArray("value");
                    foreach (var v in k.Value) _w.WriteNumberValue(v);
                    _w.WriteEndArray();
                    _w.WriteBoolean("valueElided", k.ValueElided);
                    _w.WriteEndObject();
                }
                _w.WriteEndArray();
            }
            if (s.PteCount is { } ptes) _w.WriteNumber("pteCount", ptes);
            if (s.Registers is { } regs)
            {
                _w.WriteNumber("registerCount", s.RegisterCount ?? 0);
                _w.WriteStartArray("registers");
                foreach (var r in regs) _w.WriteNumberValue(r);
                _w.WriteEndArray();
            }
            if (h.Type == PacketType.Vram)
            {
                WriteNullable("vramEnd", s.VramEnd);
                if (s.VramEnd is { } end) _w.WriteString("vramEndHex", Units.Hex(end));
                else _w.WriteNull("vramEndHex");
            }
            _w.WriteEndObject();
            if (_w.BytesPending > 64 * 1024) _w.Flush();
        }

        public void End(StreamTotals t, MigrationStreamFormatException? error)
        {
            _w.WriteEndArray();
            _w.WriteStartObject("totals");
            _w.WriteNumber("packets", t.Packets);
            _w.WriteNumber("bytes", t.Bytes);
            _w.WriteNumber("vramBytes", t.VramBytes);
            WriteNullable("devid", t.DeviceId);
            WriteNullable("revid", t.RevisionId);
            JsonOut.PacketsByType(_w, "byType", t.ByType);
            _w.WriteEndObject();
            JsonOut.Error(_w, error);
            _w.WriteEndObject();
            _w.Flush();
            stdout.Write("\n"u8);
        }

        private void WriteNullable(string name, ulong? value)
        {
            if (value is { } v) _w.WriteNumber(name, v);
            else _w.WriteNull(name);
        }

        private void WriteNullable(string name, uint? value) => WriteNullable(name, value is { } v ? (ulong)v : null);
    }
}
