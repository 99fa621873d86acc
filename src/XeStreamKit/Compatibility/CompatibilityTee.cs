using System.Buffers;
using XeStreamKit.Catalog;
using XeStreamKit.Driver;

namespace XeStreamKit.Compatibility;

/// <summary>
/// <see cref="CompatibilityCheck"/> for several targets inside a pass someone else makes (the
/// report's validation): a read-through stream that writes every byte read through it into one
/// <see cref="KernelRestoreModel"/> per target, exactly as <see cref="CompatibilityCheck"/> does,
/// so the image is read once whatever the number of targets. A seek forward over payload is passed
/// on to the models when each can skip those bytes; otherwise the bytes are read and written to
/// them instead (a model that parses what the reader skips still sees it).
/// </summary>
public sealed class CompatibilityTee : Stream
{
    private const int ReadThroughChunk = RestorePump.DefaultChunkSize;

    private readonly Stream _source;
    private readonly Check[] _checks;

    private sealed class Check(TargetProfile target)
    {
        public readonly TargetProfile Target = target;
        public readonly CompatibilityCheck.WarningCollector Warnings = new();
        public KernelRestoreModel Model = null!;
        public RuleViolation? Failure;
    }

    /// <summary>Reads <paramref name="source"/> (left open) for <paramref name="targets"/>.</summary>
    public CompatibilityTee(Stream source, IEnumerable<TargetProfile> targets)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(targets);
        _source = source;
        _checks = targets.Select(t => new Check(t)).ToArray();
        foreach (var c in _checks)
        {
            c.Model = new KernelRestoreModel(c.Target, observer: c.Warnings);
            c.Failure = c.Model.Setup();
        }
    }

    /// <summary>Leaves RESUMING on every model: the answers, in target order. Call once the
    /// reader reached the end of the stream.</summary>
    public IReadOnlyList<CompatibilityResult> Finish() => _checks.Select(c =>
    {
        c.Failure ??= c.Model.Finish();
        return new CompatibilityResult(c.Target, c.Failure, c.Warnings.Warnings, c.Model.PacketCount, c.Model.Position);
    }).ToList();

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = _source.Read(buffer);
        if (n > 0) Feed(buffer[..n]);
        return n;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        if (origin != SeekOrigin.Current || offset < 0) throw new NotSupportedException("Only forward seeks over payload pass through a compatibility tee.");
        if (_checks.All(c => Done(c) || c.Model.SkippablePayload >= (ulong)offset))
        {
            var at = _source.Seek(offset, SeekOrigin.Current);
            foreach (var c in _checks)
                if (!Done(c)) c.Failure ??= c.Model.Skip((ulong)offset);
            return at;
        }
        var scratch = ArrayPool<byte>.Shared.Rent(ReadThroughChunk);
        try
        {
            for (var left = offset; left > 0;)
            {
                var n = Read(scratch, 0, (int)Math.Min(left, ReadThroughChunk));
                if (n == 0) throw new EndOfStreamException("The stream ended inside a seek it claimed to allow.");
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return _source.Position;
    }

    private void Feed(ReadOnlySpan<byte> bytes)
    {
        foreach (var c in _checks)
            if (!Done(c)) c.Failure ??= c.Model.Write(bytes);
    }

    private static bool Done(Check c) => c.Failure is not null || c.Model.Stopped;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => _source.CanSeek;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _source.Length;

    /// <inheritdoc/>
    public override long Position { get => _source.Position; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush() { }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
