namespace XeStreamKit.IO;

/// <summary>The look-ahead buffer the forward readers (the Xe stream reader, the QEMU reader) share:
/// bytes <c>[start, end)</c> of a buffer are read but not yet consumed.</summary>
internal static class ReadWindow
{
    /// <summary>Reads until at least <paramref name="count"/> bytes (at most the buffer's length) are
    /// between <paramref name="start"/> and <paramref name="end"/>, or the stream ends; moves the
    /// unconsumed bytes to the front first when the rest of the buffer is too short. Returns the
    /// bytes read from <paramref name="stream"/>.</summary>
    public static int Fill(Stream stream, byte[] buffer, ref int start, ref int end, int count)
    {
        count = Math.Min(count, buffer.Length);
        if (end - start >= count) return 0;
        if (buffer.Length - start < count)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        var read = 0;
        while (end - start < count)
        {
            var n = stream.Read(buffer, end, buffer.Length - end);
            if (n == 0) break;
            end += n;
            read += n;
        }
        return read;
    }
}
