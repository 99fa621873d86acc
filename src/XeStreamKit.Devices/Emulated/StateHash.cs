using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace XeStreamKit.Devices.Emulated;

/// <summary>
/// The state digests of the emulated devices: XXH3-64 from System.IO.Hashing, with words
/// appended in batches. XXH3 replaced our own vectorised XXH64 (issue 10): on 4 KiB pages,
/// the unit of the emulated VRAM, it ran at 1.0-3.5x its speed on this repository's bench
/// machine, and with it the emulated restore kept or beat its throughput (bench/README.md).
/// Digests are only ever compared within one version of the tool (save against restore), so
/// the change of function changes no stored value.
/// </summary>
internal sealed class StateHash(long seed = 0)
{
    private readonly XxHash3 _hash = new(seed);
    private readonly ulong[] _words = new ulong[256];
    private int _count;

    /// <summary>XXH3-64 of <paramref name="data"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, long seed = 0) => XxHash3.HashToUInt64(data, seed);

    /// <summary>Appends bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        Flush();
        _hash.Append(data);
    }

    /// <summary>Appends a word as its 8 bytes in the host's (little-endian) order.</summary>
    public void Append(ulong value)
    {
        _words[_count++] = value;
        if (_count == _words.Length) Flush();
    }

    /// <summary>The digest of everything appended so far.</summary>
    public ulong GetCurrentHash()
    {
        Flush();
        return _hash.GetCurrentHashAsUInt64();
    }

    private void Flush()
    {
        if (_count == 0) return;
        _hash.Append(MemoryMarshal.AsBytes(_words.AsSpan(0, _count)));
        _count = 0;
    }
}
