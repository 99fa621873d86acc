namespace XeStreamKit.Tests.Support;

/// <summary>A temporary directory, deleted with everything in it on <see cref="Dispose"/>.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "xsk-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>Writes <paramref name="bytes"/> to the file <paramref name="name"/> in the directory and returns its path.</summary>
    public string File(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
