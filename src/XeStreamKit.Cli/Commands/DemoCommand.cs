using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Compatibility;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Format;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk demo</c>, the main job on the embedded default: migrate a VF of an emulated PF to
/// another emulated PF entirely offline - save, validate, check compatibility (and show an
/// incompatible host), restore, and compare the VF state by digest.
/// </summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var platform = new Option<string>("--platform") { Description = "Source and destination platform (bmg, ptl, wcl)", DefaultValueFactory = _ => "bmg" };
        platform.AcceptOnlyFromAmong("bmg", "ptl", "wcl");
        var lmem = new Option<string?>("--lmem") { Description = "VF local memory (default: the platform's, 1GiB on BMG)" };
        var keep = new Option<string?>("--output", "-o") { Description = "Also keep the saved stream: a file (written atomically), a device or a FIFO" };
        var json = new Option<bool>("--json") { Description = "Print the steps as JSON" };
        var command = new Command("demo", "Migrate a VF between two emulated PFs: save, validate, compat, restore, compare state") { platform, lmem, keep, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var extra = parse.GetValue(lmem) is { } l ? $",lmem={SpecText.FormatSize(SpecText.ParseSize(l, "--lmem"))}" : "";
            return Run(ctx, parse.GetValue(platform)!, extra, parse.GetValue(keep), parse.GetValue(json));
        }));
        return command;
    }

    private static int Run(CliContext ctx, string platform, string extra, string? keep, bool json)
    {
        var steps = new List<(string Step, string Text, Dictionary<string, object?> Data)>();
        void Step(string step, string text, Dictionary<string, object?> data)
        {
            steps.Add((step, text, data));
            if (!json) ctx.Out.WriteLine(text);
        }

        var source = (EmulatedVfDevice)DeviceSpec.Open($"emulated:{platform}{extra},seed=1,vf=1");
        var destination = (EmulatedVfDevice)DeviceSpec.Open($"emulated:{platform}{extra},seed=2,vf=2");
        var foreign = platform == "bmg" ? "ptl" : "bmg";
        if (!json) ctx.Out.WriteLine($"XeStreamKit demo: migrating VF 1 of an emulated {source.Vf.Pf.Profile.Platform!.Name} PF to VF 2 of another, offline");

        using var scratch = ScratchDirectory.Create();
        // A kept stream is read back three times: a device or FIFO gets a copy at the end.
        var direct = keep is not null && FileKinds.Of(keep) is FileKind.Missing or FileKind.Regular;
        using var kept = keep is not null && !direct ? OutputFile.Open(keep, "--output") : null;
        var path = direct ? keep! : Path.Combine(scratch.Path, "vf1.bin");
        {
            // 1. save
            source.Pause();
            var estimate = source.EstimateSize();
            var clock = Stopwatch.StartNew();
            ValidationReport saved;
            using (var file = OutputFile.Open(path, "--output"))
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "save", estimate);
                saved = TransferSummary.Save(source, file.Stream, meter);
                file.Commit();
            }
            var saveSeconds = clock.Elapsed.TotalSeconds;
            var types = string.Join(", ", saved.PacketsByType.Select(t => $"{t.Count} {PacketTypeText.Id(t.Type)}"));
            Step("save", $"1. save     {source.Description}\n              -> {keep ?? path}: {Units.Bytes(saved.Bytes)} in {saved.Packets} packets ({types}), {Units.Rate(saved.Bytes / saveSeconds)}\n              driver size estimate {estimate} bytes, actual {saved.Bytes}",
                new() { ["device"] = source.Description, ["path"] = keep ?? path, ["bytes"] = saved.Bytes, ["packets"] = saved.Packets, ["sizeEstimate"] = estimate, ["seconds"] = Math.Round(saveSeconds, 3) });

            // 2. validate
            ValidationReport report;
            using (var stream = Inputs.Open(path, ctx.StdIn)) report = StreamValidator.Validate(stream, new ValidationOptions { Profile = Profile.Strict });
            Step("validate", $"2. validate --profile strict: {(report.Valid ? "valid" : "INVALID")}, {report.Errors} errors, {report.Warnings} warnings",
                new() { ["valid"] = report.Valid, ["errors"] = report.Errors, ["warnings"] = report.Warnings });

            // 3. compat
            CompatibilityResult ok, bad;
            using (var stream = Inputs.Open(path, ctx.StdIn)) ok = CompatibilityCheck.Check(stream, destination.Vf.Profile);
            var foreignTarget = TargetProfile.For(DeviceCatalog.FindPlatform(foreign)!);
            using (var stream = Inputs.Open(path, ctx.StdIn)) bad = CompatibilityCheck.Check(stream, foreignTarget);
            Step("compat", $"3. compat   with the destination ({destination.Vf.Profile.Describe()}): {(ok.Compatible ? "compatible" : "incompatible: " + ok.Reason)}\n              with a {foreignTarget.Platform!.Name} host: {(bad.Compatible ? "compatible" : "incompatible: " + bad.Reason)}",
                new() { ["compatible"] = ok.Compatible, ["foreignTarget"] = foreign, ["foreignCompatible"] = bad.Compatible, ["foreignErrno"] = bad.Failure is { } f ? Catalog.ErrnoText.Name(f.Errno) : null });

            // 4. restore
            destination.Pause();
            clock.Restart();
            using (var stream = Inputs.Open(path, ctx.StdIn))
            {
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, "restore", Inputs.KnownLength(stream));
                TransferSummary.Restore(destination, stream, meter, Profile.Kernel);
            }
            var restoreSeconds = clock.Elapsed.TotalSeconds;
            Step("restore", $"4. restore  into {destination.Description}: {Units.Bytes(saved.Bytes)}, {Units.Rate(saved.Bytes / restoreSeconds)}",
                new() { ["device"] = destination.Description, ["seconds"] = Math.Round(restoreSeconds, 3) });

            // 5. compare
            var a = source.Vf.Digest();
            var b = destination.Vf.Digest();
            var identical = a.Equals(b);
            var retag = source.Vf.GgttPtes.Count > 0 ? $"; GGTT PTEs re-tagged from VF id {new GgttPte(source.Vf.GgttPtes[0]).VfId} to {new GgttPte(destination.Vf.GgttPtes[0]).VfId}" : "";
            Step("compare", $"5. compare  state digests: source {a.Hex}, destination {b.Hex}: {(identical ? "identical" : "DIFFERENT in " + string.Join(", ", a.Differences(b)))}{retag}",
                new() { ["source"] = a.Hex, ["destination"] = b.Hex, ["identical"] = identical });

            if (kept is not null)
            {
                using (var stream = Inputs.Open(path, ctx.StdIn)) stream.CopyTo(kept.Stream, 1 << 20);
                kept.Commit();
            }
            var success = report.Valid && ok.Compatible && !bad.Compatible && identical;
            if (json) WriteJson(ctx.StdOut, steps, success);
            else ctx.Out.WriteLine(success ? "OK: the VF's state moved intact." : "FAILED: see the steps above.");
            return success ? ExitCode.Ok : ExitCode.InvalidStream;
        }
    }

    private static void WriteJson(Stream stdout, List<(string Step, string Text, Dictionary<string, object?> Data)> steps, bool success) =>
        JsonOut.Document(stdout, new DemoJson(success, steps.Select(s => DemoJson.Step(s.Step, s.Data)).ToList()), CliJsonContext.Default.DemoJson);
}
