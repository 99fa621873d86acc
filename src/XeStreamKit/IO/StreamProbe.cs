namespace XeStreamKit.IO;

/// <summary>What a stream can tell about itself without reading (shared by the forward readers'
/// seeking skips and the restore pump's progress).</summary>
internal static class StreamProbe
{
    /// <summary>The bytes left from the stream's position to its end, when it can say: true for a
    /// seekable stream that reports its length and position (never less than 0 left), false for a
    /// pipe or socket, or for a character device that claims to seek but fails (-ESPIPE, an
    /// <see cref="IOException"/>) - such a source is read instead.</summary>
    public static bool TryRemaining(Stream stream, out long remaining)
    {
        remaining = 0;
        if (!stream.CanSeek) return false;
        try
        {
            remaining = Math.Max(0, stream.Length - stream.Position);
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or IOException)
        {
            return false;
        }
    }
}
