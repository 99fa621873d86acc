using System.Globalization;
using System.Text.RegularExpressions;
using XeStreamKit.Text;

namespace XeStreamKit.Devices.Host;

/// <summary>
/// Reads a restore target from a real host: the PF's PCI device and revision from sysfs, the
/// VF's provisioned GGTT and LMEM from the xe debugfs, and the GuC version when the debugfs
/// shows it. Both debugfs layouts are understood:
/// <list type="bullet">
/// <item>newer: <c>dri/&lt;BDF&gt;/sriov/vf&lt;N&gt;/tile&lt;T&gt;/ggtt_quota</c>, <c>vram_quota</c> (xe_tile_sriov_pf_debugfs.c);</item>
/// <item>older: <c>dri/&lt;BDF&gt;/gt&lt;G&gt;/vf&lt;N&gt;/ggtt_quota</c>, <c>lmem_quota</c> (xe_gt_sriov_pf_debugfs.c).</item>
/// </list>
/// The roots are parameters so tests run against a fake tree.
/// </summary>
public sealed class HostTargetReader(string sysfsRoot = "/sys", string debugfsRoot = "/sys/kernel/debug")
{
    private static readonly Regex Bdf = new(@"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$", RegexOptions.CultureInvariant);
    private static readonly Regex GucFound = new(@"found\s+(\d+)\.(\d+)\.(\d+)", RegexOptions.CultureInvariant);

    /// <summary>Reads the target for VF <paramref name="vf"/> of PF <paramref name="bdf"/>.</summary>
    public TargetProfile Read(string bdf, uint vf, string what = "host target")
    {
        if (!Bdf.IsMatch(bdf)) throw new SpecTextException($"{what}: '{bdf}' is not a PCI address like 0000:03:00.0");
        var pci = Path.Combine(sysfsRoot, "bus", "pci", "devices", bdf);
        if (!Directory.Exists(pci)) throw new IOException($"{what}: no PCI device {bdf} ({pci} does not exist)");
        var deviceId = (uint)ReadNumber(Path.Combine(pci, "device"), what);
        var revision = (uint)ReadNumber(Path.Combine(pci, "revision"), what);
        var platform = DeviceCatalog.PlatformOfDevice(deviceId);

        var dri = Path.Combine(debugfsRoot, "dri", bdf);
        if (!Directory.Exists(dri)) throw new IOException($"{what}: {dri} does not exist (is debugfs mounted and are you root?)");
        var newer = Path.Combine(dri, "sriov", $"vf{vf}", "tile0");
        var older = Path.Combine(dri, "gt0", $"vf{vf}");
        var (quotas, lmemName) = Directory.Exists(newer) ? (newer, "vram_quota")
            : Directory.Exists(older) ? (older, "lmem_quota")
            : throw new IOException($"{what}: no provisioning files for VF {vf} under {dri} (looked for sriov/vf{vf}/tile0 and gt0/vf{vf}; is the VF enabled?)");
        var ggtt = ReadNumber(Path.Combine(quotas, "ggtt_quota"), what);
        var lmemFile = Path.Combine(quotas, lmemName);
        var lmem = File.Exists(lmemFile) ? ReadNumber(lmemFile, what) : 0;

        (int, int, int)? guc = null;
        var gucInfo = Path.Combine(dri, "gt0", "uc", "guc_info");
        if (File.Exists(gucInfo) && GucFound.Match(ReadText(gucInfo, what)) is { Success: true } m)
            guc = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));

        // A device not in the catalog: the topology every platform has, LMEM if the VF has some,
        // and no memory-based IRQ assumed.
        var device = platform is null
            ? TargetProfile.SelfDescribed(deviceId, revision) with { HasLmem = lmem > 0, MemoryIrq = false }
            : TargetProfile.For(platform) with { DeviceId = deviceId, RevisionId = revision };
        return device with { GgttBytes = ggtt, LmemBytes = lmem, Guc = guc, VfId = vf };
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{what}: cannot read {path}: permission denied (run as root)");
        }
        catch (IOException e)
        {
            throw new IOException($"{what}: cannot read {path}: {e.Message}", e);
        }
    }

    private static ulong ReadNumber(string path, string what)
    {
        if (!File.Exists(path)) throw new IOException($"{what}: {path} does not exist");
        var text = ReadText(path, what).Trim();
        return SpecText.TryParseNumber(text, out var v) ? v : throw new IOException($"{what}: {path} holds '{text}', not a number");
    }
}
