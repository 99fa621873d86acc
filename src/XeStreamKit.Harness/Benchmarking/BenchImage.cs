using System.Globalization;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Emulated;

namespace XeStreamKit.Harness.Benchmarking;

/// <summary>
/// A migration image to measure with: the save of VF 1 of an emulated BMG PF (seed 1) with
/// <see cref="Lmem"/> bytes of VRAM cut into <see cref="VramChunk"/>-byte chunks, exactly the
/// driver's stream (valid for the strict profile). It is restored into VF 2 of a second PF.
/// Its length is known without making it, so a harness can report throughput before (or
/// without) building it.
/// </summary>
public sealed record BenchImage
{
    /// <summary>An image with <paramref name="lmem"/> bytes of VRAM in chunks of at most <paramref name="vramChunk"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lmem"/> is not a non-zero multiple of 4 KiB.</exception>
    /// <exception cref="Text.SpecTextException"><paramref name="vramChunk"/> is not a VRAM chunk size (<see cref="EmulatedPf.CheckVramChunk"/>).</exception>
    public BenchImage(ulong lmem, ulong vramChunk)
    {
        if (lmem == 0 || lmem % VramStore.PageSize != 0) throw new ArgumentOutOfRangeException(nameof(lmem), "VRAM must be a non-zero multiple of 4 KiB.");
        Lmem = lmem;
        VramChunk = EmulatedPf.CheckVramChunk(vramChunk, nameof(vramChunk));
    }

    /// <summary>VRAM bytes of the VF.</summary>
    public ulong Lmem { get; }

    /// <summary>Bytes per VRAM packet (the last may be shorter).</summary>
    public ulong VramChunk { get; }

    /// <summary>The device whose save the image is.</summary>
    public string SourceSpec => string.Create(CultureInfo.InvariantCulture, $"emulated:bmg,lmem={Lmem},chunk={VramChunk},seed=1");

    /// <summary>A device the image restores into.</summary>
    public string DestinationSpec => string.Create(CultureInfo.InvariantCulture, $"emulated:bmg,lmem={Lmem},seed=2,vf=2");

    /// <summary>VRAM packets in the image.</summary>
    public long VramPackets => (long)((Lmem + VramChunk - 1) / VramChunk);

    /// <summary>Bytes of the image.</summary>
    public long Length => OfSource(static (pf, vf) => pf.SaveLength(vf));

    /// <summary>Packets in the image.</summary>
    public long Packets => OfSource(static (pf, vf) => pf.SavePacketCount(vf));

    private long OfSource(Func<EmulatedPf, EmulatedVf, long> measure)
    {
        using var source = OpenSource();
        return measure(source.Vf.Pf, source.Vf);
    }

    /// <summary>The emulated VF the image is saved from, paused (ready to save, any number of times).</summary>
    public EmulatedVfDevice OpenSource() => Paused(DeviceSpec.OpenEmulated(SourceSpec["emulated:".Length..]));

    /// <summary>An emulated VF the image restores into, paused (ready to restore, any number of times).</summary>
    public EmulatedVfDevice OpenDestination() => Paused(DeviceSpec.OpenEmulated(DestinationSpec["emulated:".Length..]));

    private static EmulatedVfDevice Paused(EmulatedVfDevice device)
    {
        device.Pause();
        return device;
    }

    /// <summary>Saves the source VF into <paramref name="output"/> (1 MiB reads, as a VMM does).</summary>
    public void WriteTo(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var device = OpenSource();
        Workloads.Save(device, new byte[Workloads.DefaultChunk], output);
    }

    /// <summary>The image in memory.</summary>
    public byte[] ToArray()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        WriteTo(new MemoryStream(bytes, writable: true));
        return bytes;
    }

    /// <summary>Writes the image to a new file in <paramref name="directory"/> and returns its path.</summary>
    public string WriteFile(string directory)
    {
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"xsk-bench-{Lmem}-{VramChunk}-{Environment.ProcessId}-{Guid.NewGuid():N}.bin"));
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            WriteTo(file);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return path;
    }
}
