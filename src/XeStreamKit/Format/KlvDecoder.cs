namespace XeStreamKit.Format;

/// <summary>Receives the KLVs a <see cref="KlvDecoder"/> finds, in stream order.</summary>
public interface IKlvSink
{
    /// <summary>One complete KLV. <paramref name="valuePrefix"/> holds its first value dwords
    /// (up to the decoder's limit; the span is only valid during the call).</summary>
    void OnKlv(long index, KlvHeader header, long streamOffset, ReadOnlySpan<uint> valuePrefix);
}

/// <summary>Where a KLV sequence ended early: the field (<c>klvs[i].header</c> or
/// <c>klvs[i].value</c>), its absolute offset, and how many of its bytes were present.</summary>
public readonly record struct KlvTruncation(long Index, string Field, long StreamOffset, ulong Present, ulong Expected);

/// <summary>
/// Push decoder for a GuC-style KLV sequence (spec type <c>klv</c>, repeated until the end of
/// the descriptor payload), fed in chunks of any size so a payload is never held whole.
/// Memory is bounded by the number of value dwords kept per KLV.
/// </summary>
public sealed class KlvDecoder
{
    /// <summary>Value dwords kept per KLV by default; longer values are counted, not kept.</summary>
    public const int DefaultKeptValueDwords = 16;

    private readonly byte[] _header = new byte[KlvHeader.Size];
    private readonly uint[] _value;
    private readonly byte[] _partialDword = new byte[KlvCodec.DwordSize];
    private int _headerFill;
    private KlvHeader _current;
    private long _currentOffset;
    private ulong _valueRemaining;
    private ulong _valueTotal;
    private int _partialFill;
    private int _kept;
    private bool _inValue;

    /// <summary>Starts decoding a KLV sequence whose first byte is at <paramref name="streamOffset"/>.</summary>
    public KlvDecoder(long streamOffset, int keptValueDwords = DefaultKeptValueDwords)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keptValueDwords);
        Position = streamOffset;
        _value = new uint[keptValueDwords];
    }

    /// <summary>Number of complete KLVs decoded so far.</summary>
    public long Count { get; private set; }

    /// <summary>Absolute offset of the next byte to be pushed.</summary>
    public long Position { get; private set; }

    /// <summary>Decodes <paramref name="chunk"/>, reporting each completed KLV to <paramref name="sink"/>.</summary>
    public void Push(ReadOnlySpan<byte> chunk, IKlvSink sink)
    {
        while (!chunk.IsEmpty)
        {
            if (!_inValue)
            {
                var take = Math.Min(KlvHeader.Size - _headerFill, chunk.Length);
                if (_headerFill == 0) _currentOffset = Position;
                chunk[..take].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                Position += take;
                chunk = chunk[take..];
                if (_headerFill < KlvHeader.Size) return;
                _headerFill = 0;
                _current = KlvHeader.Read(_header);
                _valueTotal = Klv.ValueSize(_current);
                _valueRemaining = _valueTotal;
                _kept = 0;
                _partialFill = 0;
                _inValue = true;
            }
            if (_valueRemaining > 0)
            {
                var take = (int)Math.Min(_valueRemaining, (ulong)chunk.Length);
                Keep(chunk[..take]);
                _valueRemaining -= (ulong)take;
                Position += take;
                chunk = chunk[take..];
            }
            if (_valueRemaining == 0)
            {
                _inValue = false;
                sink.OnKlv(Count++, _current, _currentOffset, _value.AsSpan(0, _kept));
            }
        }
    }

    /// <summary>Call at the end of the payload: null when the sequence ended on a KLV boundary,
    /// otherwise where it was cut.</summary>
    public KlvTruncation? Complete()
    {
        if (_inValue)
            return new KlvTruncation(Count, $"klvs[{Count}].{Klv.ValueFieldId}", _currentOffset + KlvHeader.Size,
                _valueTotal - _valueRemaining, _valueTotal);
        if (_headerFill > 0)
            return new KlvTruncation(Count, $"klvs[{Count}].{Klv.HeaderFieldId}", _currentOffset, (ulong)_headerFill, KlvHeader.Size);
        return null;
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && _kept < _value.Length)
        {
            var take = Math.Min(KlvCodec.DwordSize - _partialFill, bytes.Length);
            bytes[..take].CopyTo(_partialDword.AsSpan(_partialFill));
            _partialFill += take;
            bytes = bytes[take..];
            if (_partialFill == KlvCodec.DwordSize)
            {
                _value[_kept++] = KlvCodec.ReadDword(_partialDword);
                _partialFill = 0;
            }
        }
    }
}
