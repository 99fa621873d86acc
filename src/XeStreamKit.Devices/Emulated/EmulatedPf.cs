using XeStreamKit.Format;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// An emulated xe PF: a device of a platform (ids, GT topology, LMEM) hosting VFs provisioned
/// alike (GGTT, LMEM, GuC state size from the profile), each with state derived from the PF's
/// seed. Save produces exactly the driver's stream; restore runs it through the one
/// <see cref="Driver.KernelRestoreModel"/>.
/// </summary>
public sealed class EmulatedPf
{
    /// <summary>VF_VRAM_STATE_CHUNK_MAX_SIZE, the driver's VRAM chunk (SZ_512M).</summary>
    public const ulong DriverVramChunk = Driver.KernelRestoreModel.VramStateChunkMaxSize;

    /// <summary>Returns <paramref name="chunk"/> when it is a VRAM chunk size a save can use: a
    /// non-zero multiple of 4 KiB, at most <see cref="DriverVramChunk"/>.</summary>
    /// <exception cref="SpecTextException">It is not; the message names <paramref name="what"/>.</exception>
    public static ulong CheckVramChunk(ulong chunk, string what)
    {
        if (chunk == 0 || chunk % VramStore.PageSize != 0 || chunk > DriverVramChunk)
            throw new SpecTextException($"{what}: must be a multiple of 4 KiB up to 512 MiB");
        return chunk;
    }

    private readonly Dictionary<uint, EmulatedVf> _vfs = [];

    /// <summary>A PF of <paramref name="profile"/> (its VfId is ignored; every VF is provisioned like it).</summary>
    public EmulatedPf(TargetProfile profile, ulong seed, uint totalVfs = 8)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.LmemBytes is { } l && l % VramStore.PageSize != 0) throw new ArgumentException("LMEM must be a multiple of 4 KiB.", nameof(profile));
        if (profile.GgttBytes is null || (profile.HasLmem && profile.LmemBytes is null))
            throw new ArgumentException("An emulated PF needs concrete GGTT and LMEM sizes.", nameof(profile));
        Profile = profile;
        Seed = seed;
        TotalVfs = totalVfs;
    }

    /// <summary>The device and per-VF provisioning.</summary>
    public TargetProfile Profile { get; }

    /// <summary>The seed all VF state comes from.</summary>
    public ulong Seed { get; }

    /// <summary>Number of VFs (sriov_totalvfs).</summary>
    public uint TotalVfs { get; }

    /// <summary>VRAM chunk size of saves; the driver's 512 MiB unless a test wants smaller.</summary>
    /// <exception cref="SpecTextException">Not a size <see cref="CheckVramChunk"/> accepts.</exception>
    public ulong VramChunkSize { get; init => field = CheckVramChunk(value, nameof(VramChunkSize)); } = DriverVramChunk;

    /// <summary>VF <paramref name="vfId"/> (1..TotalVfs).</summary>
    public EmulatedVf Vf(uint vfId)
    {
        if (vfId == 0 || vfId > TotalVfs) throw new DeviceException($"VF {vfId}", (int)Catalog.Errno.EINVAL, $"the PF has VFs 1..{TotalVfs}");
        if (!_vfs.TryGetValue(vfId, out var vf)) _vfs[vfId] = vf = new EmulatedVf(this, vfId, SeededBytes.Word(Seed, vfId));
        return vf;
    }

    /// <summary>VF <paramref name="vfId"/> as a device (pause, save, restore, resume).</summary>
    public EmulatedVfDevice Device(uint vfId) => new(Vf(vfId));

    /// <summary>Payload bytes of a save's descriptor: the DEVID and REVID KLVs, one dword each.</summary>
    internal static int DescriptorPayloadBytes { get; } = 2 * KlvCodec.EncodedSize(1);

    /// <summary>Exact bytes of a save of <paramref name="vf"/>: the descriptor, per GT its GuC, GGTT and
    /// MMIO packets and one packet per <see cref="VramChunkSize"/> chunk of VRAM, the trailer.</summary>
    public long SaveLength(EmulatedVf vf) => SaveShape(vf).Bytes;

    /// <summary>Packets of a save of <paramref name="vf"/> (see <see cref="SaveLength"/>).</summary>
    public long SavePacketCount(EmulatedVf vf) => SaveShape(vf).Packets;

    private (long Packets, long Bytes) SaveShape(EmulatedVf vf)
    {
        ArgumentNullException.ThrowIfNull(vf);
        if (vf.Pf != this) throw new ArgumentException("The VF is hosted by another PF.", nameof(vf));
        long packets = 0, bytes = 0;
        void Add(long count, long payload)
        {
            packets += count;
            bytes += count * Packet.HeaderSize + payload;
        }
        Add(1, DescriptorPayloadBytes);
        foreach (var gt in vf.Gts)
        {
            Add(1, (long)gt.GucLength);
            if (gt.Ggtt is { } ptes) Add(1, (long)ptes.Length * GgttPayload.ElementSize);
            Add(1, (long)Driver.KernelRestoreModel.MmioPayloadBytes);
            if (gt.Vram is { } vram) Add((long)((vram.Size + VramChunkSize - 1) / VramChunkSize), (long)vram.Size);
        }
        Add(1, 0);
        return (packets, bytes);
    }

    /// <summary>xe_sriov_pf_migration_size for a VF: per GT, each non-empty part plus one header
    /// (VRAM counted once, whatever its chunks); no descriptor, no trailer (docs/format.md#size-estimate).</summary>
    public long SizeEstimate(EmulatedVf vf)
    {
        long total = 0;
        foreach (var gt in vf.Gts)
        {
            total += Packet.HeaderSize + (long)gt.GucLength;
            if (gt.Ggtt is { } ptes) total += Packet.HeaderSize + ptes.Length * GgttPayload.ElementSize;
            total += Packet.HeaderSize + (long)Driver.KernelRestoreModel.MmioPayloadBytes;
            if (gt.Vram is { Size: > 0 } vram) total += Packet.HeaderSize + (long)vram.Size;
        }
        return total;
    }
}
