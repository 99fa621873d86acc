using System.Security.Cryptography;

namespace XeStreamKit.Harness.Corpus;

/// <summary>Where a run's vectors come from: a corpus directory (manifest and files), or the
/// generator's default corpus in memory.</summary>
public static class CorpusSource
{
    /// <summary>The vectors of the corpus in <paramref name="directory"/>; vectors that are not
    /// stored are regenerated. Stored files are checked against their SHA-256.</summary>
    /// <exception cref="InvalidDataException">The manifest is malformed, a file is missing or altered.</exception>
    public static IReadOnlyList<CorpusVector> Load(string? directory)
    {
        if (directory is null) return CorpusGenerator.Vectors();
        var manifestPath = Path.Combine(directory, CorpusManifest.FileName);
        if (!File.Exists(manifestPath)) throw new IOException($"{directory}: no {CorpusManifest.FileName} (make one with xsk corpus generate {directory})");
        var manifest = CorpusManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        Dictionary<string, CorpusVector>? generated = null;
        var list = new List<CorpusVector>();
        foreach (var entry in manifest.Vectors)
        {
            if (!entry.Stored)
            {
                generated ??= CorpusGenerator.Vectors().ToDictionary(v => v.Entry.Name);
                if (!generated.TryGetValue(entry.Name, out var v))
                    throw new InvalidDataException($"{manifestPath}: {entry.Name} is not stored and the generator does not make it");
                list.Add(v with { Entry = entry });
                continue;
            }
            // A vector is a file of the corpus folder itself: no path, no "..", no hidden file.
            if (!IsPlainName(entry.Name)) throw new InvalidDataException($"{manifestPath}: vector name '{entry.Name}' is not a plain file name (letters, digits, '_', '-', '.')");
            var path = Path.Combine(directory, entry.Name + ".bin");
            var info = new FileInfo(path);
            if (!info.Exists) throw new InvalidDataException($"{manifestPath}: {entry.Name}.bin is missing");
            if (info.LinkTarget is not null) throw new InvalidDataException($"{path}: is a symbolic link; a corpus holds its vectors");
            if (entry.Sha256 is not { Length: 64 } sha) throw new InvalidDataException($"{manifestPath}: {entry.Name} has no SHA-256; every stored vector is checked");
            // The size is checked before reading, so a damaged manifest cannot make us read a huge file whole.
            if (info.Length != entry.Size) throw new InvalidDataException($"{path}: {info.Length} bytes, the manifest says {entry.Size} (the file was altered)");
            var bytes = File.ReadAllBytes(path);
            if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: SHA-256 does not match the manifest (the file was altered)");
            list.Add(new CorpusVector(entry, () => new MemoryStream(bytes, writable: false)));
        }
        return list;
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 200 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && !name.Contains("..", StringComparison.Ordinal);
}
