using System.Buffers;
using System.Buffers.Binary;

namespace XeStreamKit.Qemu;

/// <summary>
/// A write-only stream that frames what is written into VFIO DEV_DATA_STATE blocks the way
/// <c>vfio_save_block</c> does: be64 DEV_DATA_STATE, be64 size, size bytes; every block
/// <see cref="BlockSize"/> bytes (QEMU's buffer, 1 MiB by default) except the last. Holds one
/// block in memory. <see cref="Complete"/> writes the last partial block; END_OF_STATE is the
/// caller's.
/// </summary>
public sealed class VfioDataBlockWriter : Stream
{
    /// <summary>QEMU's VFIO_MIG_DEFAULT_DATA_BUFFER_SIZE (1 MiB).</summary>
    public const int DefaultBlockSize = 1 << 20;

    /// <summary>Largest block this writer accepts (64 MiB).</summary>
    public const int MaxBlockSize = 64 << 20;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private byte[]? _block;
    private int _filled;
    private bool _completed;

    /// <summary>Frames into blocks of <paramref name="blockSize"/> bytes (1 to 64 MiB).</summary>
    public VfioDataBlockWriter(Stream output, int blockSize = DefaultBlockSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        _output = output;
        _leaveOpen = leaveOpen;
        BlockSize = blockSize;
        _block = ArrayPool<byte>.Shared.Rent(blockSize);
    }

    /// <summary>The block size.</summary>
    public int BlockSize { get; }

    /// <summary>Blocks written so far.</summary>
    public long Blocks { get; private set; }

    /// <summary>Device data bytes accepted so far.</summary>
    public long DataBytes { get; private set; }

    /// <summary>Bytes written to the output (tags, sizes and data).</summary>
    public long BytesWritten { get; private set; }

    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => DataBytes; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var block = _block ?? throw new ObjectDisposedException(nameof(VfioDataBlockWriter));
        if (_completed) throw new InvalidOperationException("The device data is complete.");
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..n].CopyTo(block.AsSpan(_filled));
            _filled += n;
            DataBytes += n;
            buffer = buffer[n..];
            if (_filled == BlockSize) EmitBlock();
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Writes the last (partial) block. Further writes fail.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_block is null, this);
        if (_completed) return;
        if (_filled > 0) EmitBlock();
        _completed = true;
        _output.Flush();
    }

    /// <inheritdoc/>
    public override void Flush() => _output.Flush();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _block is not null)
        {
            ArrayPool<byte>.Shared.Return(_block);
            _block = null;
            if (!_leaveOpen) _output.Dispose();
        }
        base.Dispose(disposing);
    }

    private void EmitBlock()
    {
        Span<byte> head = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(head, (ulong)VfioMigrationTag.DevDataState);
        BinaryPrimitives.WriteUInt64BigEndian(head[8..], (ulong)_filled);
        _output.Write(head);
        _output.Write(_block!, 0, _filled);
        BytesWritten += 16 + _filled;
        Blocks++;
        _filled = 0;
    }
}
