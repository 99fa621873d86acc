using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Qemu;
using XeStreamKit.Text;
using static XeStreamKit.Cli.Commands.QemuCommand;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk qemu sections &lt;file|-&gt;</c>: the records of a QEMU migration stream and the VFIO devices found, as a table or JSON.</summary>
public static class QemuSectionsCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("file") { Description = "QEMU migration file, or - for stdin" };
        var json = new Option<bool>("--json") { Description = "Print {\"sections\":[...],\"vfioDevices\":[...],...} instead of a table" };
        var command = new Command("sections", "List the records of a QEMU migration stream with offsets, and the VFIO devices found") { input, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            using var stream = Inputs.Open(parse.GetValue(input)!, ctx.StdIn);
            return RunSections(ctx, stream, parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>Lists the records; 0, or 2 after printing what was read when the stream is malformed.</summary>
    public static int RunSections(CliContext ctx, Stream stream, bool json)
    {
        using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "qemu sections", Inputs.KnownLength(stream));
        using var reader = new QemuMigrationReader(stream, new QemuMigrationReaderOptions { LeaveOpen = true, Progress = meter });
        ISectionsOutput output = json ? new JsonSectionsOutput(ctx.StdOut) : new TextSectionsOutput(ctx.Out);
        MigrationStreamFormatException? error = null;
        var begun = false;
        try
        {
            output.Begin(reader.ReadHeader());
            begun = true;
            foreach (var section in reader.ReadCompletedSections()) output.Section(section);
        }
        catch (MigrationStreamFormatException e)
        {
            error = e;
        }
        if (!begun) output.Begin(null);
        output.End(reader, error);
        ctx.Flush();
        if (error is null) return ExitCode.Ok;
        ctx.Error.WriteLine($"xsk: {error.Message}");
        return ExitCode.InvalidStream;
    }

    private interface ISectionsOutput
    {
        void Begin(QemuStreamHeader? header);
        void Section(QemuSection section);
        void End(QemuMigrationReader reader, MigrationStreamFormatException? error);
    }

    private sealed class TextSectionsOutput(TextWriter w) : ISectionsOutput
    {
        public void Begin(QemuStreamHeader? h)
        {
            if (h is null) return;
            var config = h.HasConfiguration
                ? $"machine {h.MachineType}" + (h.Capabilities.Count > 0 ? $", capabilities {string.Join(" ", h.Capabilities)}" : "")
                  + (h.UnknownSubsections.Count > 0 ? $", unknown configuration subsections {string.Join(" ", h.UnknownSubsections)} (scanned)" : "")
                : "no configuration record";
            w.WriteLine($"QEMU migration stream version {h.Version}, {config}, target page {h.TargetPageSize} B");
            w.WriteLine($"{"offset",-12} {"#",4}  {"record",-7} {"id",4}  {"idstr",-30} {"inst",4} {"ver",3}  {"found",-9} {"end",-12} summary");
        }

        public void Section(QemuSection s)
        {
            var isCommand = s.Type == QemuRecordType.Command;
            var id = isCommand ? "-" : s.SectionId.ToString(CultureInfo.InvariantCulture);
            var idStr = isCommand ? $"{s.Command}" : s.IdStr;
            var inst = isCommand ? "-" : s.InstanceId.ToString(CultureInfo.InvariantCulture);
            var ver = isCommand ? "-" : s.VersionId.ToString(CultureInfo.InvariantCulture);
            var found = Found(s);
            w.WriteLine($"{Units.Hex((ulong)s.Offset),-12} {s.Index,4}  {QemuText.RecordName(s.Type),-7} {id,4}  {idStr,-30} {inst,4} {ver,3}  {found,-9} {Units.Hex((ulong)s.EndOffset),-12} {Summarize(s)}");
        }

        public void End(QemuMigrationReader reader, MigrationStreamFormatException? error)
        {
            var sum = reader.Summary;
            if (sum.EofOffset >= 0)
            {
                var desc = sum.VmDescriptionOffset >= 0 ? $"; JSON description of {Count(sum.VmDescriptionLength, "byte")} at {Units.Hex((ulong)sum.VmDescriptionOffset)}" : "; no JSON description";
                w.WriteLine($"EOF at {Units.Hex((ulong)sum.EofOffset)}{desc}; {Count(sum.TrailingBytes, "trailing byte")}");
            }
            var footers = sum.SectionFooters switch { true => "on", false => "off", null => "unknown" };
            var stop = error is null ? "" : " (stopped at the error below)";
            w.WriteLine($"{Count(sum.Records, "record")}, {sum.DescribedSections} walked with QEMU's JSON description, {sum.ScannedSections} delimited by scanning; section footers {footers}{stop}");
            if (error is null) w.WriteLine(Exactness(sum, reader.Header));
            if (reader.VfioDevices.Count == 0)
            {
                w.WriteLine("VFIO devices: none");
                return;
            }
            w.WriteLine("VFIO devices:");
            foreach (var d in reader.VfioDevices) w.WriteLine($"  {d.IdStr}  {DescribeDevice(d)}");
        }

        private static string Summarize(QemuSection s)
        {
            if (s.Command is { } c) return $"{Count(s.CommandLength, "byte")} of data" + (c == QemuVmCommand.Packaged ? "; packaged records follow" : "");
            if (s.Ram is { } r)
            {
                var parts = new List<string>();
                if (r.Blocks > 0) parts.Add($"MEM_SIZE {Units.Bytes(r.TotalBytes)} in {Count(r.Blocks, "block")}");
                if (r.Pages > 0) parts.Add(Count(r.Pages, "page"));
                if (r.ZeroPages > 0) parts.Add(Count(r.ZeroPages, "zero page"));
                if (r.XbzrlePages > 0) parts.Add(Count(r.XbzrlePages, "XBZRLE page"));
                if (r.CompressedPages > 0) parts.Add(Count(r.CompressedPages, "compressed page"));
                if (r.MultifdFlushes > 0) parts.Add(Count(r.MultifdFlushes, "multifd flush", "multifd flushes"));
                return parts.Count == 0 ? "EOS only" : string.Join(", ", parts);
            }
            if (s.Vfio is { } v)
            {
                if (s.Handler == QemuHandlerKind.VfioConfig)
                    return v.ConfigState ? $"DEV_CONFIG_STATE: vfio-pci config, {s.PayloadLength - 16} bytes"
                        : v.ConfigLoadReady ? "DEV_CONFIG_LOAD_READY only (config sent over multifd)"
                        : "END_OF_STATE only (the dummy QEMU writes under multifd device state transfer)";
                if (v.SetupState) return "DEV_SETUP_STATE";
                var init = v.InitDataSent ? ", DEV_INIT_DATA_SENT" : "";
                return v.DataBlocks == 0
                    ? "no device data (END_OF_STATE only)" + init
                    : $"{Count(v.DataBlocks, "DEV_DATA_STATE block")}, {Count(v.DataBytes, "byte")} of device data (largest {Units.Bytes(v.LargestBlock)}){init}";
            }
            if (s.Block is { } b)
                return $"block migration: {Count(b.Blocks, "1 MiB block")}, {Count(b.ZeroBlocks, "zero block")}, {Count(b.ProgressRecords, "progress record")}";
            if (s.DirtyBitmap is { } d)
                return $"dirty bitmaps: {Count(d.Starts, "START chunk")}, {Count(d.BitsChunks, "BITS chunk")}, {Count(d.Completes, "COMPLETE chunk")}";
            if (s.Delimitation == QemuDelimitation.Described) return $"vmstate, {Count(s.PayloadLength, "byte")}";
            var what = s.Type == QemuRecordType.SectionFull ? "vmstate" : "live handler data";
            return $"{what}, {Count(s.PayloadLength, "byte")} (not parsed)";
        }
    }


    private sealed class JsonSectionsOutput(Stream stdout) : ISectionsOutput
    {
        private readonly Utf8JsonWriter _w = JsonOut.Writer(stdout);

        public void Begin(QemuStreamHeader? h)
        {
            _w.WriteStartObject();
            _w.WriteString("format", "qemu");
            if (h is null)
            {
                _w.WriteNull("version");
                _w.WriteNull("configuration");
            }
            else
            {
                _w.WriteNumber("version", h.Version);
                JsonOut.Property(_w, "configuration", QemuConfigurationJson.Of(h), CliJsonContext.Default.QemuConfigurationJson);
                _w.WriteNumber("targetPageSize", h.TargetPageSize);
            }
            _w.WriteStartArray("sections");
        }

        public void Section(QemuSection s) => JsonOut.Row(_w, QemuSectionJson.Of(s), CliJsonContext.Default.QemuSectionJson);

        public void End(QemuMigrationReader reader, MigrationStreamFormatException? error)
        {
            var sum = reader.Summary;
            _w.WriteEndArray();
            if (sum.SectionFooters is { } f) _w.WriteBoolean("sectionFooters", f);
            else _w.WriteNull("sectionFooters");
            _w.WriteNumber("records", sum.Records);
            _w.WriteNumber("scannedSections", sum.ScannedSections);
            _w.WriteNumber("describedSections", sum.DescribedSections);
            _w.WriteNumber("confirmedSections", sum.ConfirmedSections);
            _w.WriteBoolean("exact", error is null && sum.IsExact);
            if (sum.EofOffset >= 0) _w.WriteNumber("eofOffset", sum.EofOffset);
            else _w.WriteNull("eofOffset");
            var description = sum.VmDescriptionOffset >= 0 ? new QemuVmDescriptionJson(sum.VmDescriptionOffset, sum.VmDescriptionLength) : null;
            JsonOut.Property(_w, "vmDescription", description, CliJsonContext.Default.QemuVmDescriptionJson);
            _w.WriteNumber("trailingBytes", sum.TrailingBytes);
            _w.WriteNumber("ramMultifdFlushes", sum.RamMultifdFlushes);
            var devices = reader.VfioDevices.Select(d => new QemuVfioDeviceJson(d.IdStr, d.SectionId, d.InstanceId, d.StartOffset, d.EndSectionOffset,
                d.DataBlocks, d.DataBytes, d.LargestBlock, d.FirstDataOffset, d.DataOutsideEnd, d.SentNoData, d.Multifd.ToString().ToLowerInvariant(), DescribeDevice(d))).ToList();
            JsonOut.Property(_w, "vfioDevices", devices, CliJsonContext.Default.IReadOnlyListQemuVfioDeviceJson);
            JsonOut.Error(_w, error);
            JsonOut.End(_w, stdout);
        }
    }
}
