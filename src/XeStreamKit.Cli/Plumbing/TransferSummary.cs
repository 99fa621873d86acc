using System.Diagnostics;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Format;
using XeStreamKit.IO;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>What a save or restore moved, for people or as JSON.</summary>
public sealed record TransferSummary(string Operation, string Device, string Path, ValidationReport Stream, long? Estimate, StateDigest? Digest, TimeSpan Elapsed)
{
    /// <summary>Wall time of the whole command (opening and pausing the device, the transfer, the
    /// state digest); <see cref="Elapsed"/> is the transfer alone, begin to finish.</summary>
    public TimeSpan? Total { get; init; }

    /// <summary>Decimal GB per second.</summary>
    public double GigabytesPerSecond => Elapsed.TotalSeconds > 0 ? Stream.Bytes / Elapsed.TotalSeconds / 1e9 : 0;

    /// <summary>Runs <paramref name="body"/> and times it.</summary>
    public static (T Result, TimeSpan Elapsed) Time<T>(Func<T> body)
    {
        var clock = Stopwatch.StartNew();
        var result = body();
        return (result, clock.Elapsed);
    }

    /// <summary>Saves a paused VF: begins, reads the data to the end checking it (strict profile)
    /// while copying it to <paramref name="sink"/>, finishes.</summary>
    public static ValidationReport Save(IMigrationDevice device, Stream sink, IProgress<long>? progress)
    {
        var report = StreamValidator.Validate(new TeeReadStream(device.BeginSave(), sink), new ValidationOptions { Profile = Profile.Strict, Progress = progress });
        device.FinishSave();
        return report;
    }

    /// <summary>Restores a paused VF: begins, writes <paramref name="source"/> to the end checking it
    /// against <paramref name="profile"/>, finishes.</summary>
    public static ValidationReport Restore(IMigrationDevice device, Stream source, IProgress<long>? progress, Profile profile)
    {
        var report = StreamValidator.Validate(new TeeReadStream(source, device.BeginRestore()), new ValidationOptions { Profile = profile, Progress = progress });
        device.FinishRestore();
        return report;
    }

    /// <summary>The state digest when the device is emulated.</summary>
    public static StateDigest? DigestOf(IMigrationDevice device) => (device as EmulatedVfDevice)?.Vf.Digest();

    /// <summary>Human summary.</summary>
    public void WriteText(TextWriter w)
    {
        var types = string.Join(", ", Stream.PacketsByType.Select(t => $"{t.Count} {PacketTypeText.Id(t.Type)}"));
        var where = Path == "-" ? "stdout" : Path;
        var verb = Operation == "save" ? $"saved {Device} to {where}" : $"restored {where} into {Device}";
        var total = Total is { } t && t - Elapsed >= TimeSpan.FromSeconds(0.5) ? $" ({t.TotalSeconds:F2} s in all, with opening the device{(Digest is null ? "" : " and the state digest")})" : "";
        w.WriteLine($"{verb}: {Units.Bytes(Stream.Bytes)} in {Stream.Packets} packets ({types}) in {Elapsed.TotalSeconds:F2} s{total}, {GigabytesPerSecond:F2} GB/s");
        if (Estimate is { } e)
            w.WriteLine($"driver size estimate {e} bytes, actual {Stream.Bytes} ({Stream.Bytes - e:+#;-#;0}: the estimate leaves out the descriptor and the trailer and counts one header for all VRAM chunks)");
        w.WriteLine(Stream.Valid ? "stream: valid for the strict profile" : $"stream: {Stream.Errors} strict-profile errors (run xsk validate --profile strict for details)");
        if (Digest is { } d) w.WriteLine($"state digest {d.Hex} ({string.Join(", ", d.Components.Select(c => c.Component))})");
    }

    /// <summary>JSON summary.</summary>
    public void WriteJson(Stream output)
    {
        var components = Digest?.Components.ToDictionary(x => x.Component, x => x.Digest.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        var document = new TransferJson(Operation, Device, Path, Stream.Bytes, Stream.Packets, PacketTypeCountJson.Of(Stream.PacketsByType), Estimate, Stream.Valid, Stream.Errors,
            Digest?.Hex, components, Math.Round(Elapsed.TotalSeconds, 3), Math.Round((Total ?? Elapsed).TotalSeconds, 3), Math.Round(GigabytesPerSecond, 3));
        JsonOut.Document(output, document, CliJsonContext.Default.TransferJson);
    }
}
