using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk validate &lt;stream|-&gt; [--profile kernel|strict] [--digest]</c>: every diagnostic, exit 0 or 2.</summary>
public static class ValidateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("stream") { Description = "Migration stream: a file, a device or fifo, or - for stdin" };
        var profile = CommonOptions.Profile();
        var driver = CommonOptions.Driver();
        var json = new Option<bool>("--json") { Description = "Print {\"valid\",\"profile\",\"diagnostics\":[...]}" };
        var digest = new Option<bool>("--digest") { Description = "Also print the CRC-32C of the whole stream and of each type's payloads (--json: and of each packet's); reads every byte" };
        var qemu = StreamInputs.CreateQemuOption();
        var device = StreamInputs.CreateDeviceOption();
        var command = new Command("validate", "Check a migration stream against the driver's restore rules (kernel) or the shape of a driver save (strict)")
        {
            input, profile, driver, json, digest, qemu, device,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            CatalogIds.TryParse(parse.GetValue(profile)!, out Profile p);
            CatalogIds.TryParse(parse.GetValue(driver)!, out DriverVersion d);
            var name = parse.GetValue(input)!;
            using var source = StreamInputs.Open(name, ctx, parse.GetValue(qemu), parse.GetValue(device));
            using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "validate", source.KnownLength);
            var report = StreamValidator.Validate(source.Stream, new ValidationOptions { Profile = p, Driver = d, Progress = meter, PayloadDigest = parse.GetValue(digest), StopWhenNotAStream = true });
            if (source.IsQemu && !parse.GetValue(json)) ctx.Out.WriteLine(source.Describe());
            meter.Dispose();
            if (parse.GetValue(json)) WriteJson(ctx.StdOut, report);
            else WriteText(ctx.Out, name, report);
            return report.Valid ? ExitCode.Ok : ExitCode.InvalidStream;
        }));
        return command;
    }

    private static void WriteText(TextWriter w, string name, ValidationReport r)
    {
        var hazards = r.Diagnostics.Count(d => d.Severity == Catalog.Severity.Hazard);
        var verdict = r.Valid ? "valid" : hazards > 0 ? "INVALID (DRIVER HAZARD: the driver would crash or hang)" : "INVALID";
        w.WriteLine($"{(name == "-" ? "stdin" : name)}: {verdict} for the {CatalogIds.Of(r.Profile)} profile ({r.Packets} packets, {Units.Bytes(r.Bytes)}; {r.Target.Describe()}): {Plural(r.Errors, "error")}, {Plural(r.Warnings, "warning")}");
        foreach (var d in r.Diagnostics)
        {
            var where = d.PacketIndex >= 0 ? $"#{d.PacketIndex}" : "end";
            w.WriteLine($"{Severity(d.Severity),-8} {d.Rule.Id,-20} {Units.Hex((ulong)d.StreamOffset),-12} {where,-6} {d.Message}{Consequence(d)}");
        }
        foreach (var (rule, count) in r.Suppressed())
            w.WriteLine($"... {count} more {rule} not shown");
        if (r.Digest is { } digest) WriteDigestText(w, digest);
    }

    private static string Crc(uint crc) => "0x" + crc.ToString("X8", CultureInfo.InvariantCulture);

    private static void WriteDigestText(TextWriter w, StreamDigest digest)
    {
        w.WriteLine($"CRC-32C {Crc(digest.Crc32C)}  stream ({Units.Bytes(digest.Bytes)}, {digest.Bytes} bytes)");
        foreach (var t in digest.ByType)
            w.WriteLine($"CRC-32C {Crc(t.Crc32C)}  {PacketTypeText.Id(t.Type)} payloads ({Plural(t.Packets, "packet")}, {t.PayloadBytes} bytes)");
    }

    private static string Consequence(Diagnostic d) => d.Hazard != DriverHazard.None
        ? $"  [DRIVER HAZARD {HazardText.Outcome(d.Hazard)}: {HazardText.Phrase(d.Hazard)} in {d.KernelFunction}{(d.Errno == Errno.None ? "" : $"; {ErrnoText.Name(d.Errno)} {(d.ReportedAt == ReportedAt.Write ? "on write()" : "when leaving RESUMING")}")}]"
        : d.ReportedAt switch
    {
        ReportedAt.Write => $"  [{ErrnoText.Name(d.Errno)} on write()]",
        ReportedAt.Finish when d.Cause != Errno.None => $"  [{ErrnoText.Name(d.Errno)} when leaving RESUMING; GT worker: {ErrnoText.Name(d.Cause)}]",
        ReportedAt.Finish => $"  [{ErrnoText.Name(d.Errno)} when leaving RESUMING]",
        ReportedAt.Setup => $"  [{ErrnoText.Name(d.Errno)} entering RESUMING]",
        _ => "",
    };

    private static string Severity(Severity s) => s switch
    {
        Catalog.Severity.Hazard => "hazard",
        Catalog.Severity.Error => "error",
        Catalog.Severity.Warning => "warning",
        _ => "info",
    };

    private static string Plural(long n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    private static void WriteJson(Stream stdout, ValidationReport r) =>
        JsonOut.Document(stdout, ValidateJson.Of(r), CliJsonContext.Default.ValidateJson);
}
