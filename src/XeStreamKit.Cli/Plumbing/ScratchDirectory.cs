namespace XeStreamKit.Cli.Plumbing;

/// <summary>A directory of the command's own for temporary files, deleted with its contents when
/// disposed and, through <see cref="TempFiles"/>, when a signal ends the process.</summary>
public sealed class ScratchDirectory : IDisposable
{
    private readonly IDisposable _tracked;

    private ScratchDirectory(string path)
    {
        Path = path;
        _tracked = TempFiles.Track(path, directory: true);
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Makes a new directory inside <paramref name="parent"/> (default: the temporary directory).</summary>
    public static ScratchDirectory Create(string? parent = null)
    {
        var path = System.IO.Path.Combine(parent ?? System.IO.Path.GetTempPath(), $"xsk-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SystemErrors.For(parent ?? System.IO.Path.GetTempPath(), "cannot create a temporary directory", e);
        }
        return new ScratchDirectory(path);
    }

    /// <summary>Deletes the directory and what is in it.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        _tracked.Dispose();
    }
}
