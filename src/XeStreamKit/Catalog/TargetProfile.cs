
namespace XeStreamKit.Catalog;

/// <summary>
/// The VF a stream is restored into: which device and revision, which GTs, how much GGTT and
/// LMEM the VF is provisioned with, and whether migration is available there. The same
/// description names an emulated device.
/// </summary>
public sealed record TargetProfile
{
    /// <summary>Default host memory for the VRAM staging buffer allocation check.</summary>
    public const ulong DefaultHostMemory = 64UL << 30;

    /// <summary>The platform, or null for a device not in spec/devices.yaml.</summary>
    public PlatformInfo? Platform { get; init; }

    /// <summary>PCI device id of the target PF (compared with the descriptor's DEVID).</summary>
    public required uint DeviceId { get; init; }

    /// <summary>PCI revision id of the target PF (compared with the descriptor's REVID).</summary>
    public required uint RevisionId { get; init; }

    /// <summary>The GTs, in id order.</summary>
    public required IReadOnlyList<GtLayout> Gts { get; init; }

    /// <summary>True when the device has local memory (a discrete part).</summary>
    public required bool HasLmem { get; init; }

    /// <summary>The VF's GGTT size in bytes; null when unknown (any GGTT payload size is taken as matching).</summary>
    public ulong? GgttBytes { get; init; }

    /// <summary>The VF's LMEM size in bytes; null when unknown (only 64-bit wrap is checked).</summary>
    public ulong? LmemBytes { get; init; }

    /// <summary>GuC firmware version on the target, when known.</summary>
    public (int Major, int Minor, int Patch)? Guc { get; init; }

    /// <summary>Whether the target has memory-based IRQ support.</summary>
    public bool MemoryIrq { get; init; } = true;

    /// <summary>The driver version whose behaviour to reproduce.</summary>
    public DriverVersion Driver { get; init; } = DriverVersion.Newest;

    /// <summary>Host memory available for a VRAM chunk's staging buffer.</summary>
    public ulong HostMemoryBytes { get; init; } = DefaultHostMemory;

    /// <summary>The destination VF number (1-based), whose id restore writes into GGTT PTE bits 11:2.</summary>
    public uint VfId { get; init; } = 1;

    /// <summary>Size of the VF's GuC state blob (emulated devices); from the platform defaults.</summary>
    public ulong GucStateBytes { get; init; } = 16 * 1024;

    /// <summary>The index in <see cref="Gts"/> of the GT with id <paramref name="gtId"/>, or -1.
    /// Runs per packet: GT ids are their indices on every platform, so that is looked at first.</summary>
    internal int GtIndex(int gtId)
    {
        if (gtId >= 0 && gtId < Gts.Count && Gts[gtId].Id == gtId) return gtId;
        for (var i = 0; i < Gts.Count; i++)
            if (Gts[i].Id == gtId) return i;
        return -1;
    }

    /// <summary>The GT with id <paramref name="gtId"/>, or null.</summary>
    public GtLayout? Gt(int gtId) => GtIndex(gtId) is var i and >= 0 ? Gts[i] : null;

    /// <summary>True when GT <paramref name="gt"/> holds a GGTT node for the VF.</summary>
    public bool HasGgttNode(GtLayout gt) => gt.Kind == GtKind.Main && GgttBytes is not 0;

    /// <summary>True when GT <paramref name="gt"/> holds an LMEM object for the VF.</summary>
    public bool HasLmemObject(GtLayout gt) => gt.Kind == GtKind.Main && HasLmem && LmemBytes is not 0;

    /// <summary>The GGTT payload size restore requires (PTE array of the VF's GGTT), when known.</summary>
    internal ulong? GgttPayloadBytes => GgttBytes / 4096 * 8;

    /// <summary>Why migration is not available on the target, or null when it is.</summary>
    public string? MigrationUnavailableReason()
    {
        if (Platform is null || !Platform.DeviceIds.Contains(DeviceId))
            return $"xe-vfio-pci does not bind device 0x{DeviceId:X4}";
        if (DeviceCatalog.MigrationNeedsMemoryIrq && !MemoryIrq)
            return "the device has no memory-based IRQ support";
        var min = DeviceCatalog.MinimumGuc;
        if (Guc is { } g && g.CompareTo(min) < 0)
            return $"GuC {g.Major}.{g.Minor}.{g.Patch} is older than {min.Major}.{min.Minor}.{min.Patch}";
        return null;
    }

    /// <summary>One line: platform, ids, provisioning.</summary>
    public string Describe()
    {
        var name = Platform?.Id ?? "unknown platform";
        var parts = new List<string>();
        if (GgttBytes is { } g) parts.Add($"GGTT {SizeText(g)}");
        if (!HasLmem) parts.Add("no LMEM");
        else if (LmemBytes is { } l) parts.Add($"LMEM {SizeText(l)}");
        parts.Add($"driver {CatalogIds.Of(Driver)}");
        return $"{name} 0x{DeviceId:X4} rev 0x{RevisionId:X} ({string.Join(", ", parts)})";
    }

    /// <summary>A VF of <paramref name="platform"/> with the platform's defaults.</summary>
    public static TargetProfile For(PlatformInfo platform) => new()
    {
        Platform = platform,
        DeviceId = platform.DefaultDeviceId,
        RevisionId = platform.Defaults.RevisionId,
        Gts = platform.Gts,
        HasLmem = platform.HasLmem,
        GgttBytes = platform.Defaults.GgttBytes,
        LmemBytes = platform.HasLmem ? platform.Defaults.LmemBytes : 0,
        GucStateBytes = platform.Defaults.GucStateBytes,
        MemoryIrq = platform.MemoryIrq,
    };

    /// <summary>
    /// The target a stream describes itself: the device of its descriptor with sizes unknown, so
    /// validation checks what the stream alone determines. Devices not in the catalog get the
    /// topology every supported platform has (tile 0: GT 0 main, GT 1 media) and LMEM allowed.
    /// </summary>
    public static TargetProfile SelfDescribed(uint? deviceId, uint? revisionId, DriverVersion driver = DriverVersion.Newest)
    {
        var platform = deviceId is { } d ? DeviceCatalog.PlatformOfDevice(d) : null;
        return new TargetProfile
        {
            Platform = platform,
            DeviceId = deviceId ?? 0,
            RevisionId = revisionId ?? 0,
            Gts = platform?.Gts ?? DeviceCatalog.Platforms[0].Gts,
            HasLmem = platform?.HasLmem ?? true,
            GgttBytes = null,
            LmemBytes = platform is { HasLmem: false } ? 0 : null,
            Driver = driver,
        };
    }

    internal static string SizeText(ulong bytes) => Text.SpecText.FormatSize(bytes);
}
