using System.Globalization;
using XeStreamKit.Harness.Benchmarking;

namespace XeStreamKit.Benchmarks;

/// <summary>
/// Input sizes. By default they are small, so the dry run CI makes (<c>--job dry --inProcess</c>)
/// takes seconds and little memory; <c>XSK_BENCH_FULL=1</c> selects the full sweep: VRAM chunks
/// from 4 KiB to 512 MiB over a 1 GiB image, read sizes from 4 KiB to 512 MiB over a 4 GiB image.
/// </summary>
public static class Suite
{
    /// <summary>True when <c>XSK_BENCH_FULL=1</c>.</summary>
    public static bool Full => Environment.GetEnvironmentVariable("XSK_BENCH_FULL") == "1";

    /// <summary>VRAM of the image the chunk sweep runs on.</summary>
    public static ulong ChunkSweepLmem => Full ? 1UL << 30 : 4UL << 20;

    /// <summary>VRAM of the image the read-size sweep and the 4 GiB validation goal run on.</summary>
    public static ulong ReadSweepLmem => Full ? 4UL << 30 : 4UL << 20;

    /// <summary>VRAM chunk sizes (packet payloads) swept.</summary>
    public static IEnumerable<int> VramChunks => Full ? [4 << 10, 64 << 10, 1 << 20, 16 << 20, 512 << 20] : [4 << 10, 1 << 20];

    /// <summary>read() sizes swept.</summary>
    public static IEnumerable<int> ReadChunks => Full
        ? [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 512 << 20]
        : [64 << 10, 1 << 20];

    private static readonly string CacheDirectory = Path.Combine(Path.GetTempPath(), $"xsk-bench-images-{Environment.UserName}");

    /// <summary>
    /// The image as a page-cached file: made once per size and shared by every benchmark case (the
    /// default toolchain runs each case in its own process), read once before it is returned so it
    /// is in the page cache. <see cref="DeleteImages"/> removes them when the run is over.
    /// </summary>
    public static string ImageFile(BenchImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Directory.CreateDirectory(CacheDirectory);
        var path = Path.Combine(CacheDirectory, string.Create(CultureInfo.InvariantCulture, $"{image.Lmem}-{image.VramChunk}.bin"));
        if (!File.Exists(path) || new FileInfo(path).Length != image.Length)
        {
            var made = image.WriteFile(CacheDirectory);
            File.Move(made, path, overwrite: true);
        }
        Workloads.ReadFile(path, new byte[Workloads.DefaultChunk]);
        return path;
    }

    /// <summary>Deletes the cached image files.</summary>
    public static void DeleteImages()
    {
        if (Directory.Exists(CacheDirectory)) Directory.Delete(CacheDirectory, recursive: true);
    }

    /// <summary>An array touched page by page (memory in this VM is backed lazily; the first
    /// touch must not be timed).</summary>
    public static byte[] Touched(int length)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        for (var i = 0; i < length; i += 4096) bytes[i] = 1;
        return bytes;
    }
}
