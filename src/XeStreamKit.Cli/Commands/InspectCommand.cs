using System.CommandLine;
using System.Text.Json;
using XeStreamKit.Cli.Json;
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
        private readonly Utf8JsonWriter _w = JsonOut.Writer(stdout);

        public void Begin()
        {
            _w.WriteStartObject();
            if (container?.Device is { } d)
            {
                // Only for QEMU files: where the Xe stream below came from.
                var from = new InspectContainerJson("qemu", container.QemuHeader?.MachineType, d.IdStr, d.SectionId, d.FirstDataOffset);
                JsonOut.Property(_w, "container", from, CliJsonContext.Default.InspectContainerJson);
            }
            _w.WriteStartArray("packets");
        }

        public void Packet(PacketSummary s) => JsonOut.Row(_w, InspectPacketJson.Of(s), CliJsonContext.Default.InspectPacketJson);

        public void End(StreamTotals t, MigrationStreamFormatException? error)
        {
            _w.WriteEndArray();
            JsonOut.Property(_w, "totals", InspectTotalsJson.Of(t), CliJsonContext.Default.InspectTotalsJson);
            JsonOut.Error(_w, error);
            JsonOut.End(_w, stdout);
        }
    }
}
