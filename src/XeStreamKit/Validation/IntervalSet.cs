namespace XeStreamKit.Validation;

/// <summary>
/// Disjoint, merged [start, end) ranges, e.g. the LMEM a stream's VRAM chunks cover. Bounded:
/// past <see cref="MaxIntervals"/> separate ranges it stops recording and says so, so memory
/// never grows with the stream.
/// </summary>
public sealed class IntervalSet
{
    /// <summary>Most separate ranges kept.</summary>
    public const int MaxIntervals = 256;

    private readonly List<(ulong Start, ulong End)> _ranges = [];

    /// <summary>The ranges, sorted and merged.</summary>
    public IReadOnlyList<(ulong Start, ulong End)> Ranges => _ranges;

    /// <summary>True when ranges were dropped because there were too many.</summary>
    public bool Incomplete { get; private set; }

    /// <summary>Adds [start, end); empty ranges are ignored.</summary>
    public void Add(ulong start, ulong end)
    {
        if (end <= start) return;
        if (_ranges.Count > 0 && _ranges[^1] is var last && start >= last.Start && start <= last.End)
        {
            // The common case, chunks in increasing order: extend the last range.
            _ranges[^1] = (last.Start, Math.Max(last.End, end));
            return;
        }
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < start) i++;
        var j = i;
        while (j < _ranges.Count && _ranges[j].Start <= end)
        {
            start = Math.Min(start, _ranges[j].Start);
            end = Math.Max(end, _ranges[j].End);
            j++;
        }
        if (j == i && _ranges.Count >= MaxIntervals)
        {
            Incomplete = true;
            return;
        }
        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, (start, end));
    }
}
