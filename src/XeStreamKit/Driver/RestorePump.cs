using System.Buffers;
using XeStreamKit.Catalog;
using XeStreamKit.Framing;

namespace XeStreamKit.Driver;

/// <summary>
/// Writes a stream into a <see cref="KernelRestoreModel"/> the way a VMM writes the data fd: in
/// chunks, stopping at the first failed write. Payload bytes that nothing needs to see are
/// skipped by seeking when the source is a file (the reader's skip-by-seek,
/// <see cref="PayloadSkip"/>), so checking a multi-GiB image reads its
/// headers, descriptor and GGTT, not its VRAM.
/// </summary>
internal static class RestorePump
{
    /// <summary>QEMU's VFIO data buffer size (VFIO_MIG_DEFAULT_DATA_BUFFER_SIZE).</summary>
    public const int DefaultChunkSize = 1 << 20;

    /// <summary>Pushes <paramref name="source"/> through <paramref name="model"/> until it ends or a
    /// write fails (unless the model continues after errors); returns the failed write, if any.
    /// The caller then calls <see cref="KernelRestoreModel.Finish"/>.</summary>
    public static RuleViolation? Run(Stream source, KernelRestoreModel model, IProgress<long>? progress = null, int chunkSize = DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(model);
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        RuleViolation? first = null;
        try
        {
            while (true)
            {
                var skippable = model.SkippablePayload;
                if (skippable > (ulong)chunkSize && PayloadSkip.TrySeek(source, skippable, out var n))
                {
                    var skipped = model.Skip(n);
                    first ??= skipped;
                    progress?.Report(model.Position);
                    if (n < skippable || model.Stopped) break;
                    continue;
                }
                var read = source.Read(buffer, 0, chunkSize);
                if (read == 0) break;
                var written = model.Write(buffer.AsSpan(0, read));
                first ??= written;
                if (model.Stopped) break;
                progress?.Report(model.Position);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return first;
    }
}
