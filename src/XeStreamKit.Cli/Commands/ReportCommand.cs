using System.CommandLine;
using System.Text;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Report;
using XeStreamKit.Compatibility;
using XeStreamKit.Qemu;
using XeStreamKit.Driver;
using XeStreamKit.Validation;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk report &lt;image|qemu file|-&gt; [--target &lt;spec&gt;...] -o report.html</c>: one
/// self-contained HTML page picturing the image - stream map, VRAM map, diagnostics with hex
/// excerpts, compatibility per target, the QEMU container - from one pass over it: the validation
/// pass of <c>validate</c>, watched by a <see cref="StreamRecorder"/>, with the compatibility
/// models of <c>compat</c> fed by a <see cref="CompatibilityTee"/> from the same reads.
/// </summary>
public static class ReportCommand
{
    /// <summary>The types whose code runs only once the pass is over (drawing and writing the page),
    /// compiled during the pass by <see cref="JitWarmUp"/>. Started once the input is open: any
    /// earlier, it competed with the runtime's own start-up work and gained less.</summary>
    internal static readonly Type[] PageCode =
    [
        typeof(ReportPage), typeof(StreamMapSvg), typeof(VramMapSvg), typeof(Html), typeof(ReportData), typeof(TileVram),
        typeof(LmemMark), typeof(PacketRow), typeof(GgttSummary), typeof(HexExcerpt), typeof(OutputFile),
    ];

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("image") { Description = "Migration stream or QEMU migration file: a file, a device or fifo, or - for stdin" };
        var targets = new Option<string[]>("--target")
        {
            Description = "Also say whether the image restores here (any number): <platform>[,devid=..][,lmem=..]..., @host.json, or host:<PF BDF>",
            Arity = ArgumentArity.OneOrMore,
        };
        var vf = CommonOptions.Vf();
        var profile = CommonOptions.Profile();
        var driver = CommonOptions.Driver();
        var digest = new Option<bool>("--digest") { Description = "Add the CRC-32C table (reads every byte)" };
        var output = new Option<string>("-o", "--output") { Description = "The HTML file to write (- for stdout)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary of what the page shows" };
        var qemu = StreamInputs.CreateQemuOption();
        var device = StreamInputs.CreateDeviceOption();
        var command = new Command("report", "Write a self-contained HTML picture of an image: stream map, VRAM map, diagnostics, compatibility")
        {
            input, targets, vf, profile, driver, digest, output, json, qemu, device,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            CatalogIds.TryParse(parse.GetValue(profile)!, out Profile p);
            CatalogIds.TryParse(parse.GetValue(driver)!, out DriverVersion d);
            var specs = parse.GetValue(targets) ?? [];
            var profiles = specs.Select(s => TargetSpec.Parse(s, "--target", source: HostTargetSource.Default, vf: parse.GetValue(vf), vfOption: "--vf").Target).ToList();
            var commandLine = ReportCommandLine.Of(parse);
            var data = Gather(ctx, parse.GetValue(input)!, specs, profiles, p, d, parse.GetValue(digest), parse.GetValue(qemu), parse.GetValue(device), commandLine);
            var html = Encoding.UTF8.GetBytes(ReportPage.Render(data));
            var path = parse.GetValue(output)!;
            using (var file = OutputFile.Open(path, "-o", ctx, durable: false))
            {
                file.Stream.Write(html);
                file.Commit();
            }
            if (parse.GetValue(json)) WriteJson(ctx, data, path, html.Length);
            else if (path != "-") ctx.Out.WriteLine(Summary(data, path, html.Length));
            return !data.Valid ? ExitCode.InvalidStream : data.Verdicts.Any(v => !v.Result.Compatible) ? ExitCode.Incompatible : ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>The one pass: validation (watched by the recorder) and every target's restore
    /// model on the same reads; for a QEMU file, then the rest of the container's records.</summary>
    private static ReportData Gather(CliContext ctx, string name, string[] specs, List<TargetProfile> targets, Profile profile, DriverVersion driver,
        bool digest, bool qemu, string? device, string commandLine)
    {
        var records = new List<QemuSection>();
        var notListed = 0;
        var recorder = new StreamRecorder(profile);
        var version = ReportCommandLine.ToolVersion;
        var qemuOptions = new QemuMigrationReaderOptions
        {
            OnRecord = s =>
            {
                if (records.Count < ReportData.MaxSections) records.Add(s);
                else notListed++;
            },
        };
        MigrationInput source;
        try
        {
            source = StreamInputs.Open(name, ctx, qemu, device, qemuOptions);
        }
        catch (MigrationStreamFormatException e) when (records.Count > 0)
        {
            // A QEMU file without (data of) a VFIO device: the page still shows its records.
            var picture = new QemuPicture(null, records, notListed, null, null, e.Message, FileLength(name));
            return new ReportData(name, commandLine, version, profile, null, recorder, [], picture, $"no Xe stream: {e.Message}");
        }
        using (source)
        {
            using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "report", source.KnownLength);
            // The page's code runs only after the pass: under the JIT, compile it meanwhile.
            JitWarmUp.Start(PageCode, ReportPage.Rehearse);
            var tee = targets.Count > 0 ? new CompatibilityTee(source.Stream, targets) : null;
            var validation = StreamValidator.Validate(tee ?? source.Stream, new ValidationOptions
            {
                Profile = profile, Driver = driver, Progress = meter, PayloadDigest = digest, Watcher = recorder,
            });
            var verdicts = tee is null ? [] : tee.Finish().Select((r, i) => new TargetVerdict(specs[i], r)).ToList();
            meter.Dispose();
            QemuPicture? picture = null;
            if (source.QemuReader is { } reader)
            {
                string? error = null;
                try
                {
                    foreach (var _ in reader.ReadCompletedSections())
                    {
                    }
                }
                catch (MigrationStreamFormatException e)
                {
                    error = e.Message;
                }
                picture = new QemuPicture(reader.Header, records, notListed, source.Device, reader.Summary, error, FileLength(name));
            }
            return new ReportData(name, commandLine, version, profile, validation, recorder, verdicts, picture, null);
        }
    }

    private static long FileLength(string name)
    {
        try
        {
            return name != "-" && File.Exists(name) ? new FileInfo(name).Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Summary(ReportData d, string path, int bytes)
    {
        var v = d.Validation;
        var what = v is null ? d.StreamError : $"{(d.Valid ? "valid" : "INVALID")} for the {CatalogIds.Of(d.Profile)} profile, {Plural(v.Errors, "error")}, {Plural(v.Warnings, "warning")}, {Plural(v.Packets, "packet")}";
        var targets = d.Verdicts.Count == 0 ? "" : "; " + string.Join(", ", d.Verdicts.Select(t => $"{t.Spec}: {(t.Result.Compatible ? "restores" : ErrnoText.Name(t.Result.Errno))}"));
        var capped = d.Recorder.PacketsNotDrawn > 0 ? $"; {d.Recorder.PacketsNotDrawn} packets past the row limit counted, not drawn" : "";
        return $"wrote {path} ({Units.Bytes(bytes)}): {what}{targets}{capped}";
    }

    private static string Plural(long n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    private static void WriteJson(CliContext ctx, ReportData d, string path, int bytes)
    {
        // With -o - the page is on stdout: the summary goes to stderr rather than mixing the two.
        var target = path == "-" ? null : ctx.StdOut;
        if (target is null)
        {
            using var buffer = new MemoryStream();
            Json(buffer, d, path, bytes);
            ctx.Error.Write(Encoding.UTF8.GetString(buffer.ToArray()));
            return;
        }
        Json(target, d, path, bytes);
    }

    private static void Json(Stream stream, ReportData d, string path, int bytes)
    {
        var v = d.Validation;
        var vram = v is null ? [] : d.Vram().Select(t => new ReportVramJson(t.Tile, t.CoveredBytes, t.Lmem, t.Gaps.Count, t.GapBytes, t.OverlapBytes, t.PastBytes, t.Incomplete)).ToList();
        var compatibility = d.Verdicts.Select(t => new ReportCompatibilityJson(t.Spec, t.Result.Compatible, ErrnoJson.Name(t.Result.Errno), ErrnoJson.Value(t.Result.Errno),
            t.Result.Failure is { } f ? JsonOut.ReportedAt(f.At) ?? f.At.ToString().ToLowerInvariant() : null, t.Result.Failure?.PacketIndex, t.Result.Reason)).ToList();
        var qemu = d.Qemu is { } q ? new ReportQemuJson(q.Device?.IdStr, q.Sections.Count + q.SectionsNotListed, q.Error) : null;
        var document = new ReportJson(path, bytes, d.Valid, CatalogIds.Of(d.Profile), v?.Packets, v?.Errors ?? 0, v?.Warnings ?? 0, d.Recorder.Rows.Count, d.Recorder.PacketsNotDrawn,
            d.StreamError, vram, compatibility, qemu);
        JsonOut.Document(stream, document, CliJsonContext.Default.ReportJson);
    }
}
