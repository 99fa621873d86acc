using XeStreamKit.Devices;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using XeStreamKit.Writing;

namespace XeStreamKit.Harness.Benchmarking;

/// <summary>
/// The operations both harnesses measure (the BenchmarkDotNet suite and <c>xsk bench</c>), so
/// the two time the same code with independent clocks, and the baselines they are compared with.
/// </summary>
public static class Workloads
{
    /// <summary>Read and write size: QEMU's VFIO buffer, and the validator's default.</summary>
    public const int DefaultChunk = 1 << 20;

    /// <summary>Baseline: <see cref="Span{T}.CopyTo"/> of the whole image.</summary>
    public static void Memcpy(byte[] source, byte[] destination) => source.AsSpan().CopyTo(destination);

    /// <summary>Opens a file for sequential reads with no buffering of its own (the readers buffer).</summary>
    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    /// <summary>Baseline: reads the file front to back, <paramref name="chunk"/> bytes per read().</summary>
    public static long ReadFile(string path, byte[] buffer, int chunk = DefaultChunk)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        using var file = OpenRead(path);
        long total = 0;
        for (int n; (n = file.Read(buffer, 0, chunk)) > 0;) total += n;
        return total;
    }

    /// <summary>Strict validation (and, with <paramref name="digest"/>, CRC-32C of every byte),
    /// <paramref name="chunk"/> bytes per read.</summary>
    public static ValidationReport Validate(Stream source, bool digest, int chunk = DefaultChunk) =>
        StreamValidator.Validate(source, new ValidationOptions { Profile = Profile.Strict, PayloadDigest = digest, ReadChunkSize = chunk });

    /// <summary>Decodes <paramref name="headers"/> back to back; returns the sum of their sizes.</summary>
    public static ulong DecodeHeaders(ReadOnlySpan<byte> headers)
    {
        ulong sum = 0;
        for (var at = 0; at + PacketHeader.EncodedSize <= headers.Length; at += PacketHeader.EncodedSize)
            sum += PacketHeader.Read(headers[at..]).Size;
        return sum;
    }

    /// <summary>Back-to-back headers of every type, for <see cref="DecodeHeaders"/>.</summary>
    public static byte[] SampleHeaders(int count)
    {
        var bytes = new byte[count * PacketHeader.EncodedSize];
        for (var i = 0; i < count; i++)
            new PacketHeader(PacketHeader.ValidValues.Version, (PacketType)(1 + i % 6), 0, (byte)(i & 1), 0, (ulong)i * 4096, (ulong)i).Write(bytes.AsSpan(i * PacketHeader.EncodedSize));
        return bytes;
    }

    /// <summary>
    /// Encodes the VF of <paramref name="source"/> with the writer, typed packet by typed
    /// packet, in the driver's order; VRAM chunks are written from <paramref name="vramSource"/>
    /// (reused as a DMA buffer would be). Same packets and length as the image; returns the bytes written.
    /// </summary>
    public static long Encode(EmulatedVfDevice source, ulong vramChunk, Stream destination, ReadOnlySpan<byte> vramSource)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (vramSource.IsEmpty) throw new ArgumentException("A VRAM source buffer is needed.", nameof(vramSource));
        var vf = source.Vf;
        var profile = vf.Pf.Profile;
        using var w = new MigrationStreamWriter(destination, leaveOpen: true);
        w.WriteDescriptor(profile.DeviceId, profile.RevisionId);
        Span<ulong> ptes = stackalloc ulong[256];
        Span<byte> bytes = stackalloc byte[256 * GgttPayload.ElementSize];
        foreach (var gt in vf.Gts)
        {
            var (tile, id) = (gt.Layout.TileId, gt.Layout.Id);
            w.WritePacket(PacketType.Guc, tile, id, gt.Guc);
            if (gt.Ggtt is { } all)
            {
                w.BeginPacket(PacketType.Ggtt, tile, id, (ulong)all.Length * GgttPayload.ElementSize);
                for (var at = 0; at < all.Length; at += ptes.Length)
                {
                    var n = Math.Min(ptes.Length, all.Length - at);
                    for (var i = 0; i < n; i++) ptes[i] = all[at + i] & ~GgttPte.VfIdMask;
                    GgttPayload.WriteElements(ptes[..n], bytes);
                    w.WritePayload(bytes[..(n * GgttPayload.ElementSize)]);
                }
                w.EndPacket();
            }
            w.WriteMmio(tile, id, gt.Mmio);
            if (gt.Vram is not { } vram) continue;
            for (ulong offset = 0; offset < vram.Size; offset += vramChunk)
            {
                var size = Math.Min(vramChunk, vram.Size - offset);
                w.BeginPacket(PacketType.Vram, tile, id, size, offset);
                for (var left = size; left > 0;)
                {
                    var n = (int)Math.Min(left, (ulong)vramSource.Length);
                    w.WritePayload(vramSource[..n]);
                    left -= (ulong)n;
                }
                w.EndPacket();
            }
        }
        w.WriteTrailer();
        w.Flush();
        return w.BytesWritten;
    }

    /// <summary>A save as a VMM does it, of a paused VF: read the data to EOF with <paramref name="buffer"/>
    /// (writing what is read to <paramref name="copy"/>, if given), finish (the VF stays paused: the
    /// driver refuses to pause it again, ESTALE). Returns the bytes read.</summary>
    public static long Save(IMigrationDevice device, byte[] buffer, Stream? copy = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(buffer);
        var data = device.BeginSave();
        long total = 0;
        for (int n; (n = data.Read(buffer)) > 0;)
        {
            copy?.Write(buffer, 0, n);
            total += n;
        }
        device.FinishSave();
        return total;
    }

    /// <summary>A restore as a VMM does it, into a paused VF: write the image in <paramref name="chunk"/>-byte writes, finish.</summary>
    public static void Restore(IMigrationDevice device, ReadOnlySpan<byte> image, int chunk = DefaultChunk)
    {
        ArgumentNullException.ThrowIfNull(device);
        var sink = device.BeginRestore();
        for (var at = 0; at < image.Length; at += chunk) sink.Write(image.Slice(at, Math.Min(chunk, image.Length - at)));
        device.FinishRestore();
    }
}
