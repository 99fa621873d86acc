using XeStreamKit.IO;
namespace XeStreamKit.Reading;

/// <summary>A read-only, forward-only view of one packet's payload (like System.Formats.Tar's
/// SubReadStream): reads go straight through the reader, nothing is copied ahead.</summary>
internal sealed class PayloadStream : ForwardReadStream
{
    private readonly MigrationStreamReader _reader;
    private readonly long _index;
    private readonly long _length;

    public PayloadStream(MigrationStreamReader reader, long index)
    {
        _reader = reader;
        _index = index;
        var size = reader.Current.PayloadSize;
        _length = size > long.MaxValue ? long.MaxValue : (long)size;
    }

    public override long Length => _length;

    public override long Position
    {
        get
        {
            _reader.EnsureCurrent(_index);
            return _length - (long)Math.Min(_reader.PayloadRemaining, (ulong)_length);
        }
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        _reader.EnsureCurrent(_index);
        return _reader.ReadPayload(buffer);
    }
}
