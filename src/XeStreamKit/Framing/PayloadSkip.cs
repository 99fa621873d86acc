using XeStreamKit.IO;

namespace XeStreamKit.Framing;

/// <summary>The one skip-by-seek: payload bytes nobody needs are seeked over when the source can
/// say how much it has left (a file), for the reader's <c>SkipPayload</c> and the restore pump alike.</summary>
internal static class PayloadSkip
{
    /// <summary>Seeks <paramref name="source"/> forward over up to <paramref name="count"/> bytes and
    /// says how many (fewer when the source ends first: a truncated payload). False, with nothing
    /// moved, for a source that cannot seek or say its length (a pipe): read it instead.</summary>
    public static bool TrySeek(Stream source, ulong count, out ulong skipped)
    {
        skipped = 0;
        if (!StreamProbe.TryRemaining(source, out var available)) return false;
        skipped = Math.Min(count, (ulong)available);
        if (skipped > 0) source.Seek((long)skipped, SeekOrigin.Current);
        return true;
    }
}
