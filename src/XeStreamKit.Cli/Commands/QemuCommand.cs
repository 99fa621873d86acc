using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.Cli.Cli;
using XeStreamKit.Qemu;
using XeStreamKit.Text;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk qemu sections|extract|inject</c>: QEMU migration files (<c>migrate "file:..."</c>,
/// <c>"exec:cat > ..."</c>) that carry Xe VF device state inside a VFIO device section.
/// </summary>
public static class QemuCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Create(CliContext ctx) => new("qemu", "Find, extract and re-inject Xe VF device state in QEMU migration files")
    {
        CreateSections(ctx),
        CreateExtract(ctx),
        CreateInject(ctx),
    };

    private static Command CreateSections(CliContext ctx)
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

    private static Command CreateExtract(CliContext ctx)
    {
        var input = new Argument<string>("file") { Description = "QEMU migration file, or - for stdin" };
        var device = StreamInputs.CreateDeviceOption();
        var output = new Option<string>("--output", "-o") { Description = "Where to write the Xe stream: a file (written atomically), or - for stdout", Required = true };
        var json = new Option<bool>("--json") { Description = "Print what was extracted as JSON (not with -o -)" };
        var command = new Command("extract", "Write a VFIO device's Xe stream out of a QEMU migration file, checked as an Xe packet chain") { input, device, output, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var target = parse.GetValue(output)!;
            var asJson = parse.GetValue(json);
            if (target == "-" && asJson) throw new UsageException("--json prints to stdout, which -o - already uses for the stream");
            using var stream = Inputs.Open(parse.GetValue(input)!, ctx.StdIn);
            return RunExtract(ctx, stream, parse.GetValue(device), target, asJson);
        }));
        return command;
    }

    private static Command CreateInject(CliContext ctx)
    {
        var input = new Argument<string>("file") { Description = "Existing QEMU migration file (a regular file: it is read twice)" };
        var device = StreamInputs.CreateDeviceOption(required: true);
        var xe = new Option<string>("--stream") { Description = "The Xe stream to put in: a file, or - for stdin", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The new QEMU file (written atomically)", Required = true };
        var blockSize = new Option<string>("--block-size") { Description = "DEV_DATA_STATE block size (QEMU's is 1MiB)", DefaultValueFactory = _ => "1MiB" };
        var json = new Option<bool>("--json") { Description = "Print what was done as JSON" };
        var command = new Command("inject", "Replace a VFIO device's data in a QEMU migration file with an Xe stream") { input, device, xe, output, blockSize, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var path = parse.GetValue(input)!;
            if (path == "-") throw new UsageException("inject reads the QEMU file twice: give a file, not -");
            var size = SpecText.ParseSize(parse.GetValue(blockSize)!, "--block-size");
            if (size is 0 or > VfioDataBlockWriter.MaxBlockSize)
                throw new UsageException($"--block-size: {size} is out of range (1 byte to 64MiB)");
            using var source = Inputs.Open(path, ctx.StdIn);
            using var stream = Inputs.Open(parse.GetValue(xe)!, ctx.StdIn);
            return RunInject(ctx, source, parse.GetValue(device)!, stream, parse.GetValue(output)!, (int)size, parse.GetValue(json));
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

    /// <summary>Extracts a device's Xe stream to <paramref name="target"/>; the file is written only
    /// when the stream is a complete Xe packet chain.</summary>
    public static int RunExtract(CliContext ctx, Stream stream, string? device, string target, bool json)
    {
        using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "extract", Inputs.KnownLength(stream));
        using var reader = new QemuMigrationReader(stream, new QemuMigrationReaderOptions { LeaveOpen = true, Progress = meter });
        var data = StreamInputs.FindDeviceData(reader, device, ctx, "extracting");
        XeChainSummary chain;
        using (var file = OutputFile.Open(target, "-o", ctx))
        {
            chain = Verified(data, file.Stream);
            file.Commit();
        }
        var d = data.Device;
        if (json)
        {
            JsonOut.Document(ctx.StdOut, w =>
            {
                w.WriteString("device", d.IdStr);
                w.WriteNumber("sectionId", d.SectionId);
                w.WriteNumber("bytes", chain.Bytes);
                w.WriteNumber("packets", chain.Packets);
                w.WriteNumber("blocks", d.DataBlocks);
                w.WriteNumber("largestBlock", d.LargestBlock);
                w.WriteNumber("firstDataOffset", d.FirstDataOffset);
                w.WriteString("output", target);
            });
        }
        else if (target != "-")
        {
            ctx.Out.WriteLine($"Extracted the Xe stream of {d.IdStr}: {Count(chain.Bytes, "byte")} ({Units.Bytes(chain.Bytes)}), {Count(chain.Packets, "packet")}, from {Count(d.DataBlocks, "DEV_DATA_STATE block")} at file offset {Units.Hex((ulong)d.FirstDataOffset)}; wrote {target}");
        }
        return ExitCode.Ok;
    }

    /// <summary>Writes a copy of <paramref name="source"/> with <paramref name="device"/>'s data replaced.</summary>
    public static int RunInject(CliContext ctx, Stream source, string device, Stream xe, string target, int blockSize, bool json)
    {
        QemuInjectResult result;
        using (var file = OutputFile.Open(target, "-o"))
        {
            try
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "inject", Inputs.KnownLength(source));
                result = QemuDeviceStateInjector.Inject(source, device, xe, file.Stream, blockSize, meter);
            }
            catch (MigrationStreamFormatException e) when (IsXeLevel(e))
            {
                throw InXeStream(e, "in --stream");
            }
            file.Commit();
        }
        if (json)
        {
            JsonOut.Document(ctx.StdOut, w =>
            {
                w.WriteString("device", result.Device.IdStr);
                w.WriteNumber("sectionId", result.Device.SectionId);
                w.WriteNumber("oldDataBytes", result.OldDataBytes);
                w.WriteNumber("newDataBytes", result.Chain.Bytes);
                w.WriteNumber("packets", result.Chain.Packets);
                w.WriteNumber("blocks", result.Blocks);
                w.WriteNumber("blockSize", blockSize);
                w.WriteNumber("fileBytes", result.BytesWritten);
                w.WriteString("output", target);
            });
        }
        else
        {
            ctx.Out.WriteLine($"Replaced the data of {result.Device.IdStr} ({Count(result.OldDataBytes, "byte")}) with {Count(result.Chain.Bytes, "byte")} ({Count(result.Chain.Packets, "packet")}) in {Count(result.Blocks, "block")} of up to {Units.Bytes(blockSize)}; wrote {target} ({Count(result.BytesWritten, "byte")})");
        }
        return ExitCode.Ok;
    }

    private static XeChainSummary Verified(VfioDeviceDataStream data, Stream destination)
    {
        try
        {
            return XeStreamChain.CopyVerified(data, destination);
        }
        catch (MigrationStreamFormatException e) when (IsXeLevel(e))
        {
            throw InXeStream(e, $"in the device data of {data.Device.IdStr} from file offset {Units.Hex((ulong)Math.Max(0, data.Device.FirstDataOffset))}");
        }
    }

    /// <summary>Errors from the Xe reader (not from the QEMU walk, whose fields start with "qemu").</summary>
    private static bool IsXeLevel(MigrationStreamFormatException e) => !e.Field.StartsWith("qemu", StringComparison.Ordinal);

    /// <summary>The same error, saying its offset is in an Xe stream and which one.</summary>
    private static MigrationStreamFormatException InXeStream(MigrationStreamFormatException e, string where) =>
        new(e.StreamOffset, e.PacketIndex, e.PacketType, e.Field, $"{e.Problem} (Xe stream offset, {where}): not an Xe packet chain");

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

    private static string Found(QemuSection s) => s.Delimitation switch
    {
        QemuDelimitation.Described => "described",
        QemuDelimitation.Scanned => s.Confirmed ? "confirmed" : "scanned",
        _ => "parsed",
    };

    /// <summary>Whether the record list is QEMU's or rests on heuristics, in one line.</summary>
    private static string Exactness(QemuStreamSummary sum, QemuStreamHeader header)
    {
        if (sum.IsExact && sum.ScannedSections == 0) return "Exact: every record's end was parsed or walked with QEMU's JSON vmstate description";
        if (sum.IsExact) return $"Exact: the {Count(sum.ScannedSections, "section")} delimited by scanning agree with QEMU's JSON vmstate description read at the end";
        var why = sum.ScannedConfiguration ? $"the configuration has unknown subsections ({string.Join(" ", header.UnknownSubsections)}) whose end was scanned; " : "";
        return $"HEURISTIC: {why}{sum.ScannedSections - sum.ConfirmedSections} section ends were found by scanning and nothing in the stream confirms them (no usable JSON vmstate description)";
    }

    private static string Count(long n, string one, string? many = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");

    /// <summary>One line about a VFIO device (shared by text outputs).</summary>
    private static string DescribeDevice(QemuVfioDevice d)
    {
        var where = $"section {d.SectionId}, instance {d.InstanceId}";
        if (d.DataBytes > 0)
            return $"{where}: {Count(d.DataBytes, "byte")} ({Units.Bytes(d.DataBytes)}) of device data in {Count(d.DataBlocks, "block")} (largest {Units.Bytes(d.LargestBlock)}) from {Units.Hex((ulong)d.FirstDataOffset)}"
                + (d.DataOutsideEnd ? $", {d.SectionsWithData} sections (pre-copy)" : "");
        if (d.SentNoData) return $"{where}: no data in the main stream: {d.NoDataExplanation}";
        return $"{where}: no END section seen";
    }

    private sealed class JsonSectionsOutput(Stream stdout) : ISectionsOutput
    {
        private readonly Utf8JsonWriter _w = new(stdout, JsonOut.WriterOptions);

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
                if (!h.HasConfiguration) _w.WriteNull("configuration");
                else
                {
                    _w.WriteStartObject("configuration");
                    _w.WriteNumber("offset", h.ConfigurationOffset);
                    _w.WriteString("machineType", h.MachineType);
                    if (h.TargetPageBits is { } bits) _w.WriteNumber("targetPageBits", bits);
                    else _w.WriteNull("targetPageBits");
                    WriteStrings("capabilities", h.Capabilities);
                    if (h.Uuid is { } uuid) _w.WriteString("uuid", uuid.ToString());
                    else _w.WriteNull("uuid");
                    WriteStrings("unknownSubsections", h.UnknownSubsections);
                    _w.WriteEndObject();
                }
                _w.WriteNumber("targetPageSize", h.TargetPageSize);
            }
            _w.WriteStartArray("sections");
        }

        public void Section(QemuSection s)
        {
            _w.WriteStartObject();
            _w.WriteNumber("index", s.Index);
            _w.WriteNumber("offset", s.Offset);
            _w.WriteString("type", QemuText.RecordName(s.Type));
            if (s.Command is { } c)
            {
                _w.WriteString("command", c.ToString());
                _w.WriteNumber("commandId", (ushort)c);
                _w.WriteNumber("length", s.CommandLength);
            }
            else
            {
                _w.WriteNumber("sectionId", s.SectionId);
                _w.WriteString("idstr", s.IdStr);
                _w.WriteNumber("instanceId", s.InstanceId);
                _w.WriteNumber("versionId", s.VersionId);
                _w.WriteString("handler", s.Handler switch
                {
                    QemuHandlerKind.Ram => "ram",
                    QemuHandlerKind.Vfio => "vfio",
                    QemuHandlerKind.VfioConfig => "vfio-config",
                    QemuHandlerKind.Block => "block",
                    QemuHandlerKind.DirtyBitmap => "dirty-bitmap",
                    _ => "other",
                });
            }
            _w.WriteNumber("payloadOffset", s.PayloadOffset);
            _w.WriteNumber("payloadEnd", s.PayloadEnd);
            _w.WriteNumber("endOffset", s.EndOffset);
            _w.WriteBoolean("footer", s.HasFooter);
            _w.WriteString("delimitation", s.Delimitation switch
            {
                QemuDelimitation.Described => "described",
                QemuDelimitation.Scanned => "scanned",
                _ => "parsed",
            });
            _w.WriteBoolean("exact", s.IsExact);
            if (s.Ram is { } r)
            {
                _w.WriteStartObject("ram");
                _w.WriteNumber("blocks", r.Blocks);
                _w.WriteNumber("totalBytes", r.TotalBytes);
                _w.WriteNumber("pages", r.Pages);
                _w.WriteNumber("zeroPages", r.ZeroPages);
                _w.WriteNumber("xbzrlePages", r.XbzrlePages);
                _w.WriteNumber("compressedPages", r.CompressedPages);
                _w.WriteNumber("multifdFlushes", r.MultifdFlushes);
                _w.WriteEndObject();
            }
            if (s.Block is { } b)
            {
                _w.WriteStartObject("block");
                _w.WriteNumber("blocks", b.Blocks);
                _w.WriteNumber("zeroBlocks", b.ZeroBlocks);
                _w.WriteNumber("progressRecords", b.ProgressRecords);
                _w.WriteEndObject();
            }
            if (s.DirtyBitmap is { } d)
            {
                _w.WriteStartObject("dirtyBitmap");
                _w.WriteNumber("starts", d.Starts);
                _w.WriteNumber("bitsChunks", d.BitsChunks);
                _w.WriteNumber("completes", d.Completes);
                _w.WriteEndObject();
            }
            if (s.Vfio is { } v)
            {
                _w.WriteStartObject("vfio");
                _w.WriteBoolean("setupState", v.SetupState);
                WriteDataCounts(v);
                _w.WriteBoolean("configState", v.ConfigState);
                _w.WriteBoolean("dummyEndOfState", v.DummyEndOfState);
                _w.WriteBoolean("configLoadReady", v.ConfigLoadReady);
                _w.WriteBoolean("initDataSent", v.InitDataSent);
                _w.WriteNumber("endOfStateOffset", v.EndOfStateOffset);
                _w.WriteEndObject();
            }
            _w.WriteEndObject();
            if (_w.BytesPending > 64 * 1024) _w.Flush();
        }

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
            if (sum.VmDescriptionOffset >= 0)
            {
                _w.WriteStartObject("vmDescription");
                _w.WriteNumber("offset", sum.VmDescriptionOffset);
                _w.WriteNumber("length", sum.VmDescriptionLength);
                _w.WriteEndObject();
            }
            else _w.WriteNull("vmDescription");
            _w.WriteNumber("trailingBytes", sum.TrailingBytes);
            _w.WriteNumber("ramMultifdFlushes", sum.RamMultifdFlushes);
            _w.WriteStartArray("vfioDevices");
            foreach (var d in reader.VfioDevices)
            {
                _w.WriteStartObject();
                _w.WriteString("idstr", d.IdStr);
                _w.WriteNumber("sectionId", d.SectionId);
                _w.WriteNumber("instanceId", d.InstanceId);
                _w.WriteNumber("startOffset", d.StartOffset);
                _w.WriteNumber("endSectionOffset", d.EndSectionOffset);
                WriteDataCounts(d);
                _w.WriteBoolean("dataOutsideEnd", d.DataOutsideEnd);
                _w.WriteBoolean("sentNoData", d.SentNoData);
                _w.WriteString("multifd", d.Multifd.ToString().ToLowerInvariant());
                _w.WriteString("note", DescribeDevice(d));
                _w.WriteEndObject();
            }
            _w.WriteEndArray();
            JsonOut.Error(_w, error);
            _w.WriteEndObject();
            _w.Flush();
            stdout.Write("\n"u8);
        }

        private void WriteDataCounts(VfioDataCounts c)
        {
            _w.WriteNumber("dataBlocks", c.DataBlocks);
            _w.WriteNumber("dataBytes", c.DataBytes);
            _w.WriteNumber("largestBlock", c.LargestBlock);
            _w.WriteNumber("firstDataOffset", c.FirstDataOffset);
        }

        private void WriteStrings(string name, IReadOnlyList<string> values)
        {
            _w.WriteStartArray(name);
            foreach (var v in values) _w.WriteStringValue(v);
            _w.WriteEndArray();
        }
    }
}
