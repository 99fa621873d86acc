using System.Security.Cryptography;
using XeStreamKit.Corpus;

namespace XeStreamKit.Devices.Conformance;

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
            var path = Path.Combine(directory, entry.Name + ".bin");
            if (!File.Exists(path)) throw new InvalidDataException($"{manifestPath}: {entry.Name}.bin is missing");
            var bytes = File.ReadAllBytes(path);
            if (entry.Sha256 is { } sha && !string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha, StringComparison.Ordinal))
                throw new InvalidDataException($"{path}: SHA-256 does not match the manifest (the file was altered)");
            list.Add(new CorpusVector(entry, () => new MemoryStream(bytes, writable: false)));
        }
        return list;
    }
}
