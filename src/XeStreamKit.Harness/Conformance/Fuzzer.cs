using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using XeStreamKit.Devices;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Compatibility;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Format;
using XeStreamKit.Inspection;
using XeStreamKit.Reading;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Harness.Conformance;

/// <summary>What a fuzz run found: the stage, what went wrong, the input and its minimized form.</summary>
public sealed record FuzzFinding(string Stage, string Problem, byte[] Input, byte[] Minimized)
{
    /// <summary>A short name for the reproducer file.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Minimized))[..12];
}

/// <summary>The outcome of a fuzz run.</summary>
public sealed record FuzzReport(int Seed, long Iterations, TimeSpan Elapsed, IReadOnlyList<FuzzFinding> Findings);

/// <summary>
/// A seeded, bounded mutation fuzzer over the corpus: each mutated input goes through the reader
/// (with the payload views inspect uses), the validator in both profiles, the driver model and
/// the emulated restore. A finding is any exception other than the documented ones
/// (<see cref="MigrationStreamFormatException"/> from the reader, <see cref="DeviceException"/>
/// from the device), an input that takes longer than <see cref="PerInputLimit"/> (a hang), or one
/// that allocates more than <see cref="AllocationBudget"/>. Findings are minimized.
/// </summary>
public sealed class Fuzzer
{
    /// <summary>Most bytes one input may allocate (constant memory: nothing scales with a header's size).</summary>
    public const long AllocationBudget = 32L << 20;

    /// <summary>Longest one input may take before it counts as a hang.</summary>
    public static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(10);

    private static readonly ulong[] InterestingSizes = [0, 1, 3, 4, 8, 16, 23, 24, 4095, 4096, 1UL << 20, int.MaxValue, 1UL << 31, 1UL << 32, 1UL << 62, long.MaxValue, ulong.MaxValue - 4095, ulong.MaxValue];
    private static readonly TargetProfile Target = CorpusGenerator.DefaultHome;

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly Random _rng;
    private readonly int _seed;
    private readonly Func<byte[], (string Stage, string Problem)?> _check;

    /// <summary>A fuzzer over <paramref name="seeds"/> (the stored corpus vectors by default; those
    /// under <see cref="MaxSeedLength"/> count) that runs each input through <paramref name="check"/>
    /// (by default every stage) on a worker thread, counting an input that takes longer than
    /// <paramref name="limit"/> as a hang.</summary>
    /// <exception cref="SpecTextException">No seed is under <see cref="MaxSeedLength"/>.</exception>
    public Fuzzer(int seed, IEnumerable<byte[]>? seeds = null, Func<byte[], (string Stage, string Problem)?>? check = null, TimeSpan? limit = null)
    {
        _seed = seed;
        var inner = check ?? CheckHere;
        var timeout = limit ?? PerInputLimit;
        _check = input => Guarded(inner, input, timeout);
        _rng = new Random(seed);
        _seeds = (seeds ?? StoredBytes(CorpusGenerator.Vectors())).Where(s => s.Length < MaxSeedLength).ToList();
        if (_seeds.Count == 0) throw new SpecTextException($"no seed inputs: no stored vector is under {MaxSeedLength >> 20} MiB");
    }

    /// <summary>Seeds must be shorter than this (1 MiB); longer ones are left out.</summary>
    public const int MaxSeedLength = 1 << 20;

    /// <summary>A fuzzer whose seeds are the stored vectors of <paramref name="vectors"/> (e.g. a corpus
    /// directory's, from <see cref="CorpusSource.Load"/>); otherwise as the constructor.</summary>
    /// <exception cref="SpecTextException">No stored vector is under <see cref="MaxSeedLength"/>.</exception>
    public static Fuzzer FromCorpus(int seed, IEnumerable<CorpusVector> vectors, Func<byte[], (string Stage, string Problem)?>? check = null, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return new Fuzzer(seed, StoredBytes(vectors), check, limit);
    }

    private static IEnumerable<byte[]> StoredBytes(IEnumerable<CorpusVector> vectors) =>
        vectors.Where(v => v.Entry.Stored).Select(v => ReadAll(v.Open()));

    /// <summary>Runs until <paramref name="duration"/> has passed or <paramref name="iterations"/> inputs were tried.</summary>
    public FuzzReport Run(TimeSpan duration, long iterations = long.MaxValue, IProgress<long>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var findings = new List<FuzzFinding>();
        var seen = new HashSet<string>();
        long i = 0;
        for (; i < iterations && clock.Elapsed < duration; i++)
        {
            var input = Mutate();
            if (_check(input) is { } problem && seen.Add(problem.Stage + ": " + Kind(problem.Problem)))
            {
                var minimized = Minimize(input, problem);
                findings.Add(new FuzzFinding(problem.Stage, problem.Problem, input, minimized));
                if (problem.Problem.StartsWith("hang", StringComparison.Ordinal)) break;
            }
            if (i % 64 == 0) progress?.Report(i);
        }
        return new FuzzReport(_seed, i, clock.Elapsed, findings);
    }

    /// <summary>Runs one input through every stage on a worker thread; null when all is well.</summary>
    public static (string Stage, string Problem)? Check(byte[] input) => Guarded(CheckHere, input, PerInputLimit);

    private static (string Stage, string Problem)? Guarded(Func<byte[], (string Stage, string Problem)?> check, byte[] input, TimeSpan limit)
    {
        (string, string)? result = null;
        var worker = new Thread(() => result = check(input), 16 << 20) { IsBackground = true, Name = "xsk fuzz input" };
        worker.Start();
        if (!worker.Join(limit)) return ("all", $"hang: no result after {limit.TotalSeconds} s");
        return result;
    }

    private static (string Stage, string Problem)? CheckHere(byte[] input)
    {
        var stage = "reader";
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            foreach (var strict in new[] { true, false })
            {
                try
                {
                    using var reader = new MigrationStreamReader(new MemoryStream(input, writable: false), new MigrationStreamReaderOptions { RequireValidHeaders = strict, BufferSize = 64 });
                    while (reader.ReadNextPacket()) StreamInspector.Summarize(reader);
                }
                catch (MigrationStreamFormatException)
                {
                    // The documented outcome for bad data.
                }
            }
            stage = "validator";
            foreach (var profile in new[] { Profile.Kernel, Profile.Strict })
            {
                StreamValidator.Validate(new MemoryStream(input, writable: false), new ValidationOptions { Profile = profile });
                StreamValidator.Validate(new MemoryStream(input, writable: false), new ValidationOptions { Profile = profile, Target = Target });
            }
            stage = "model";
            CompatibilityCheck.Check(new MemoryStream(input, writable: false), Target);
            stage = "emulated";
            var device = new EmulatedPf(Target, seed: 3).Device(1);
            device.Pause();
            try
            {
                var sink = device.BeginRestore();
                for (var at = 0; at < input.Length; at += 4096) sink.Write(input, at, Math.Min(4096, input.Length - at));
                device.FinishRestore();
            }
            catch (DeviceException)
            {
                // A restore the driver rejects.
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated > AllocationBudget ? ("all", $"allocated {allocated} bytes (budget {AllocationBudget})") : null;
        }
        catch (Exception e)
        {
            return (stage, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static string Kind(string problem) => problem.Split(':')[0];

    /// <summary>Delta debugging: drop ranges while the same stage keeps failing the same way.</summary>
    private byte[] Minimize(byte[] input, (string Stage, string Problem) problem)
    {
        var current = input;
        var budget = 2000;
        for (var chunk = Math.Max(1, current.Length / 2); chunk >= 1 && budget > 0; chunk /= 2)
        {
            for (var start = 0; start < current.Length && budget > 0;)
            {
                var candidate = current[..start].Concat(current[Math.Min(current.Length, start + chunk)..]).ToArray();
                budget--;
                if (_check(candidate) is { } p && p.Stage == problem.Stage && Kind(p.Problem) == Kind(problem.Problem)) current = candidate;
                else start += chunk;
            }
        }
        return current;
    }

    private byte[] Mutate()
    {
        var data = _seeds[_rng.Next(_seeds.Count)].ToList();
        var rounds = 1 + _rng.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var headers = HeaderOffsets(data);
            switch (_rng.Next(9))
            {
                case 0 when data.Count > 0:
                    data[_rng.Next(data.Count)] ^= (byte)(1 << _rng.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[_rng.Next(data.Count)] = new byte[] { 0, 1, 0x7F, 0x80, 0xFF }[_rng.Next(5)];
                    break;
                case 2 when headers.Count > 0:
                    MutateHeader(data, headers[_rng.Next(headers.Count)]);
                    break;
                case 3 when data.Count > 0:
                    data = data.Take(_rng.Next(data.Count + 1)).ToList();
                    break;
                case 4 when data.Count > 1:
                    var from = _rng.Next(data.Count);
                    data.RemoveRange(from, Math.Min(data.Count - from, 1 + _rng.Next(64)));
                    break;
                case 5 when data.Count > 1:
                    var at = _rng.Next(data.Count);
                    var len = Math.Min(data.Count - at, 1 + _rng.Next(200));
                    data.InsertRange(_rng.Next(data.Count), data.GetRange(at, len));
                    break;
                case 6:
                    var other = _seeds[_rng.Next(_seeds.Count)];
                    data = data.Take(_rng.Next(data.Count + 1)).Concat(other.Skip(_rng.Next(other.Length + 1))).ToList();
                    break;
                case 7:
                    var noise = new byte[1 + _rng.Next(48)];
                    _rng.NextBytes(noise);
                    data.InsertRange(_rng.Next(data.Count + 1), noise);
                    break;
                default:
                    if (headers.Count > 0) DuplicatePacket(data, headers);
                    break;
            }
        }
        return [.. data];
    }

    private void MutateHeader(List<byte> data, int header)
    {
        if (header + Packet.HeaderSize > data.Count) return;
        var bytes = CollectionsMarshal.AsSpan(data).Slice(header, Packet.HeaderSize);
        var h = PacketHeader.Read(bytes);
        h = _rng.Next(7) switch
        {
            0 => h.WithVersion((byte)_rng.Next(4)),
            1 => h.WithType((PacketType)new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 255 }[_rng.Next(10)]),
            2 => h.WithTileId((byte)_rng.Next(3)),
            3 => h.WithGtId(new byte[] { 0, 1, 2, 255 }[_rng.Next(4)]),
            4 => h.WithFlags((uint)_rng.Next()),
            5 => h.WithOffset(InterestingSizes[_rng.Next(InterestingSizes.Length)]),
            _ => h.WithSize(_rng.Next(3) switch
            {
                0 => h.Size + (ulong)_rng.Next(1, 9),
                1 => h.Size - Math.Min(h.Size, (ulong)_rng.Next(1, 9)),
                _ => InterestingSizes[_rng.Next(InterestingSizes.Length)],
            }),
        };
        h.Write(bytes);
    }

    private void DuplicatePacket(List<byte> data, List<int> headers)
    {
        var k = _rng.Next(headers.Count);
        var start = headers[k];
        var end = k + 1 < headers.Count ? headers[k + 1] : data.Count;
        if (end - start > 1 << 16) return;
        data.InsertRange(headers[_rng.Next(headers.Count)], data.GetRange(start, end - start));
    }

    /// <summary>Where headers are, following sizes while they stay inside the data.</summary>
    private static List<int> HeaderOffsets(List<byte> data)
    {
        var offsets = new List<int>();
        var bytes = CollectionsMarshal.AsSpan(data);
        for (long at = 0; at + Packet.HeaderSize <= data.Count && offsets.Count < 4096;)
        {
            offsets.Add((int)at);
            var size = PacketHeader.Read(bytes[(int)at..]).Size;
            if (size > (ulong)data.Count) break;
            at += Packet.HeaderSize + (long)size;
        }
        return offsets;
    }

    private static byte[] ReadAll(Stream s)
    {
        using (s)
        {
            var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        }
    }
}
