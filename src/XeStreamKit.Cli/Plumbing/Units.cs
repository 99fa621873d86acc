using System.Globalization;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>Human formatting of sizes and rates.</summary>
public static class Units
{
    /// <summary>Bytes as B, KiB, MiB, GiB with one decimal.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < units.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return i == 0 ? $"{bytes:F0} {units[i]}" : string.Create(CultureInfo.InvariantCulture, $"{bytes:F1} {units[i]}");
    }

    /// <summary>Bytes per second as GB/s (decimal, as throughput is usually quoted).</summary>
    public static string Rate(double bytesPerSecond) =>
        bytesPerSecond >= 1e9 ? string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1e9:F2} GB/s")
                              : string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1e6:F1} MB/s");

    /// <summary>An unsigned value as 0x-prefixed upper-case hex.</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>The <c>machine:</c> line of a measurement, and a <c>warning:</c> line for a Debug build.</summary>
    public static void Machine(TextWriter w, Harness.Benchmarking.MachineInfo machine)
    {
        w.WriteLine($"machine: {machine.Describe()}");
        if (machine.BuildWarning is { } warning) w.WriteLine($"warning: {warning}");
    }
}
