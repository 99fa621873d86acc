namespace XeStreamKit.Reading;

/// <summary>How a <see cref="MigrationStreamReader"/> reads.</summary>
public sealed class MigrationStreamReaderOptions
{
    /// <summary>Default read buffer: large enough to amortise system calls, small enough to stay in cache.</summary>
    public const int DefaultBufferSize = 256 * 1024;

    /// <summary>Size of the reader's one buffer (at least 64 bytes). Memory use does not depend on payload sizes.</summary>
    public int BufferSize { get; init; } = DefaultBufferSize;

    /// <summary>Absolute offset of the stream's first byte, when the stream is a window into a
    /// larger file (e.g. device data inside a QEMU migration file).</summary>
    public long StartOffset { get; init; }

    /// <summary>Reject headers that break the spec's <c>valid:</c> constraints (version != 1)
    /// with a <see cref="MigrationStreamFormatException"/>. Validators turn this off to see the
    /// raw header and report the rule instead.</summary>
    public bool RequireValidHeaders { get; init; } = true;

    /// <summary>Skip unread payloads by seeking when the stream can seek (a file); otherwise
    /// they are read and discarded.</summary>
    public bool SeekToSkip { get; init; } = true;

    /// <summary>Told the absolute position after reads that cross each
    /// <see cref="ProgressInterval"/> bytes, for progress displays on long streams.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Bytes between two <see cref="Progress"/> reports.</summary>
    public long ProgressInterval { get; init; } = 16L << 20;

    /// <summary>Leave the stream open when the reader is disposed.</summary>
    public bool LeaveOpen { get; init; }
}
