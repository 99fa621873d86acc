namespace XeStreamKit.Cli.Cli;

/// <summary>Opens what the user named: a file, a character device or fifo, or <c>-</c> for stdin.</summary>
public static class Inputs
{
    /// <summary>Opens <paramref name="path"/> for sequential reading, unbuffered (the reader buffers).</summary>
    public static Stream Open(string path, Stream stdin)
    {
        if (path == "-") return stdin;
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new IOException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new IOException($"{path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{path}: permission denied");
        }
    }

    /// <summary>The length of <paramref name="stream"/> when it is a regular file, for progress.</summary>
    public static long? KnownLength(Stream stream)
    {
        try
        {
            return stream.CanSeek ? stream.Length : null;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            return null;
        }
    }
}
