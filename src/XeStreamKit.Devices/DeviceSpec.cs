using System.Text.RegularExpressions;
using XeStreamKit.Compatibility;
using XeStreamKit.Devices.Debugfs;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Text;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Devices;

/// <summary>
/// Opens the device a user names:
/// <list type="bullet">
/// <item><c>emulated:&lt;platform&gt;[,devid=..][,revid=..][,lmem=..][,ggtt=..][,seed=&lt;n&gt;][,vf=&lt;n&gt;][,chunk=&lt;size&gt;]</c> -
/// the same keys and defaults as a compat target, so any target also names an emulated device;</item>
/// <item><c>debugfs:&lt;vf directory&gt;</c> - the xe PF debugfs files of one VF;</item>
/// <item><c>vfio:&lt;device path&gt;</c> - a VFIO device bound to xe-vfio-pci: the cdev
/// (<c>vfio:/dev/vfio/devices/vfio0</c>) or a group and the device's PCI address
/// (<c>vfio:/dev/vfio/12:0000:03:00.1</c>).</item>
/// </list>
/// </summary>
public static class DeviceSpec
{
    /// <summary>How a device is named, for help texts and errors.</summary>
    public const string Syntax = "emulated:<platform>[,key=value...], debugfs:<vf directory> or vfio:<device path>";

    /// <summary>Keys only emulated devices take: <c>seed</c> (state seed) and <c>chunk</c> (VRAM chunk size, for tests).</summary>
    public static readonly IReadOnlyList<string> EmulatedKeys = ["seed", "chunk"];

    private static readonly Regex GroupAndDevice = new(@"^(?<group>/dev/vfio/(noiommu-)?\d+):(?<bdf>[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])$", RegexOptions.CultureInvariant);

    /// <summary>Opens <paramref name="spec"/>.</summary>
    public static IMigrationDevice Open(string spec, string what = "--device")
    {
        var colon = spec.IndexOf(':');
        var kind = colon < 0 ? spec : spec[..colon];
        var rest = colon < 0 ? "" : spec[(colon + 1)..];
        return kind switch
        {
            "emulated" => OpenEmulated(rest, what),
            "debugfs" when rest.Length > 0 => Directory.Exists(rest)
                ? new DebugfsMigrationDevice(rest, "debugfs:" + rest)
                : throw new IOException($"{what}: {rest} is not a directory (expected /sys/kernel/debug/dri/<BDF>/sriov/vf<N>)"),
            "vfio" when GroupAndDevice.Match(rest) is { Success: true } m => VfioMigrationDevice.OpenGroup(m.Groups["group"].Value, m.Groups["bdf"].Value),
            "vfio" when rest.Length > 0 => VfioMigrationDevice.OpenCdev(rest),
            _ => throw new SpecTextException($"{what}: '{spec}' is not a device ({Syntax})"),
        };
    }

    /// <summary>An emulated PF for <paramref name="spec"/> and the VF it names (vf=, default 1).</summary>
    public static EmulatedVfDevice OpenEmulated(string spec, string what = "--device") =>
        OpenEmulated(TargetSpec.Parse(spec, what, EmulatedKeys, HostTargetSource.Default), what);

    /// <summary>An emulated PF for an already parsed spec and the VF it names; <paramref name="chunk"/>,
    /// when given, replaces the spec's VRAM chunk size.</summary>
    public static EmulatedVfDevice OpenEmulated(TargetSpec.Parsed parsed, string what = "--device", ulong? chunk = null)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var seed = parsed.Extras.TryGetValue("seed", out var s) ? SpecText.ParseNumber(s, $"{what} seed") : 1UL;
        var target = parsed.Target;
        chunk ??= parsed.Extras.TryGetValue("chunk", out var c)
            ? EmulatedPf.CheckVramChunk(SpecText.ParseSize(c, $"{what} chunk"), $"{what} chunk")
            : EmulatedPf.DriverVramChunk;
        if (target.LmemBytes is { } l && l % VramStore.PageSize != 0) throw new SpecTextException($"{what} lmem: must be a multiple of 4 KiB");
        if (target.LmemBytes is { } big && big > VramStore.MaxSize)
            throw new SpecTextException($"{what} lmem: {SpecText.FormatSize(big)} is more than an emulated device holds (at most {SpecText.FormatSize(VramStore.MaxSize)})");
        var pf = new EmulatedPf(target, seed, Math.Max(8u, target.VfId)) { VramChunkSize = chunk.Value };
        return pf.Device(target.VfId);
    }
}
