using System.Diagnostics;
using XeStreamKit.Devices;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Harness.Conformance;

/// <summary>How a vector is cut into write() calls: fixed sizes, or random sizes from a seed.</summary>
public sealed class WriteSplit
{
    private readonly int _size;
    private readonly int _seed;

    private WriteSplit(int size, int seed)
    {
        _size = size;
        _seed = seed;
    }

    /// <summary>QEMU's 1 MiB blocks.</summary>
    public static WriteSplit Default { get; } = new(1 << 20, 0);

    /// <summary>Parses <c>random</c>, <c>random:&lt;seed&gt;</c> or a size (<c>1</c>, <c>7</c>, <c>4KiB</c>).</summary>
    public static WriteSplit Parse(string text)
    {
        if (text == "random") return new WriteSplit(0, 1);
        if (text.StartsWith("random:", StringComparison.Ordinal)) return new WriteSplit(0, (int)SpecText.ParseId(text[7..], "--split seed"));
        var size = SpecText.ParseSize(text, "--split");
        return size is 0 or > int.MaxValue ? throw new SpecTextException("--split: a size from 1 byte to 2 GiB, or random[:seed]") : new WriteSplit((int)size, 0);
    }

    /// <summary>Chunk sizes for one vector (random ones differ per vector but are reproducible).</summary>
    public Func<int> Sizes(string vectorName)
    {
        if (_size > 0) return () => _size;
        var rng = new Random(_seed ^ vectorName.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
        return () => rng.Next(1, 70_000);
    }

    /// <inheritdoc/>
    public override string ToString() => _size > 0 ? SpecText.FormatSize((ulong)_size) : $"random:{_seed}";
}

/// <summary>The validator in the kernel profile: the outcome is the driver's as the validation
/// pass records it (<see cref="ValidationReport.DriverOutcome"/>), which its verdict must agree with.</summary>
public sealed class ValidatorImpl : IConformanceImpl
{
    /// <inheritdoc/>
    public string Name => "validator";

    /// <inheritdoc/>
    public Outcome Run(CorpusVector vector, TargetProfile target)
    {
        using var s = vector.Open();
        var report = StreamValidator.Validate(s, new ValidationOptions { Profile = Profile.Kernel, Target = target });
        // Every kernel error is a driver rule: the stream is valid exactly when the driver restores it.
        if (report.Valid != (report.DriverOutcome is null))
            throw new InvalidOperationException($"the validator reports {report.Errors} errors, but the driver outcome is {ModelImpl.OutcomeOf(report.DriverOutcome)}");
        return ModelImpl.OutcomeOf(report.DriverOutcome);
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>The compatibility prediction: the driver model, written in the given split.</summary>
public sealed class ModelImpl(WriteSplit split) : IConformanceImpl
{
    /// <inheritdoc/>
    public string Name => "model";

    /// <inheritdoc/>
    public Outcome Run(CorpusVector vector, TargetProfile target)
    {
        var model = new KernelRestoreModel(target);
        var failure = model.Setup() ?? Writes.Push(vector, split, bytes => model.Write(bytes.Span)) ?? model.Finish();
        return OutcomeOf(failure);
    }

    internal static Outcome OutcomeOf(RuleViolation? f) => f is null
        ? Outcome.Accept
        : new Outcome(false, f.Errno, f.At, f.At == ReportedAt.Setup || f.PacketIndex < 0 ? null : f.PacketIndex, f.Rule.Id)
        {
            Hazard = f.Hazard,
            Function = f.KernelFunction,
        };

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>A restore into a fresh emulated VF of the vector's target.</summary>
public sealed class EmulatedImpl(WriteSplit split) : IConformanceImpl
{
    /// <inheritdoc/>
    public string Name => "emulated";

    /// <inheritdoc/>
    public Outcome Run(CorpusVector vector, TargetProfile target)
    {
        var device = new EmulatedPf(target, seed: 7).Device(target.VfId);
        return Restores.Attempt(device,
            sink => Writes.Push(vector, split, bytes =>
            {
                sink.Write(bytes.Span);
                return null;
            }),
            e => e.Hazard != DriverHazard.None
                ? ModelImpl.OutcomeOf(device.RestoreModel?.Failure)
                : ModelImpl.OutcomeOf(device.RestoreModel?.Failure) with { Errno = (Errno)e.Errno });
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>
/// A restore into a real VF (debugfs or VFIO), the way to test the driver itself: each packet's
/// header and payload are written separately, so a failed write names its packet; the VF is
/// reset after every vector.
/// </summary>
public sealed class DeviceImpl(IMigrationDevice device, string name) : IConformanceImpl
{
    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public bool ReachesRealDriver => true;

    /// <inheritdoc/>
    public Outcome Run(CorpusVector vector, TargetProfile target)
    {
        long packet = -1;
        try
        {
            return Restores.Attempt(device, sink => WritePackets(vector, sink, ref packet),
                e => new Outcome(false, (Errno)e.Errno, ReportedAt.Write, packet >= 0 ? packet : null));
        }
        finally
        {
            if (device is IResettable r) r.Reset();
        }
    }

    /// <summary>Writes each packet's header, then its payload, recording which packet is being written.</summary>
    private static void WritePackets(CorpusVector vector, Stream sink, ref long packet)
    {
        using var source = vector.Open();
        using var reader = new MigrationStreamReader(source, new MigrationStreamReaderOptions { RequireValidHeaders = false });
        Span<byte> header = stackalloc byte[Packet.HeaderSize];
        var cut = false;
        while (true)
        {
            try
            {
                if (!reader.ReadNextPacket()) break;
            }
            catch (MigrationStreamFormatException)
            {
                // The vector ends inside a header.
                cut = true;
                break;
            }
            packet = reader.Current.Index;
            reader.Current.Header.Write(header);
            sink.Write(header);
            try
            {
                for (var c = reader.ReadPayloadChunk(1 << 20); !c.IsEmpty; c = reader.ReadPayloadChunk(1 << 20)) sink.Write(c);
            }
            catch (MigrationStreamFormatException)
            {
                // The vector ends inside a payload.
                cut = true;
                break;
            }
        }
        // A vector cut short: write what is there of its last packet, as a VMM would.
        if (cut) WriteTail(vector, reader.Position, sink);
    }

    /// <summary>Bytes of a truncated last packet the reader stopped at.</summary>
    private static void WriteTail(CorpusVector vector, long consumed, Stream sink)
    {
        using var s = vector.Open();
        var buffer = new byte[1 << 16];
        long at = 0;
        for (int n; (n = s.Read(buffer)) > 0; at += n)
        {
            var skip = (int)Math.Clamp(consumed - at, 0, n);
            if (skip < n) sink.Write(buffer, skip, n - skip);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => device.Dispose();
}

/// <summary>A third-party parser: the vector on stdin, exit status 0 means accepted, 1 to 125
/// rejected. Exit 126 or 127 (the shell could not run the command) ends the run as an error of
/// the harness; death by a signal or a timeout is an error on that vector, never a verdict.</summary>
public sealed class ExecImpl(string command, TimeSpan? timeout = null) : IConformanceImpl
{
    /// <summary>Longest a command may take on one vector by default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest the command may take on one vector.</summary>
    public TimeSpan Timeout { get; } = timeout ?? DefaultTimeout;

    /// <inheritdoc/>
    public string Name => "exec:" + command;

    /// <inheritdoc/>
    public bool ReachesRealDriver => true;

    /// <inheritdoc/>
    public Outcome Run(CorpusVector vector, TargetProfile target)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.Environment["XSK_VECTOR"] = vector.Entry.Name;
        psi.Environment["XSK_TARGET"] = vector.Entry.Target;
        using var p = Process.Start(psi) ?? throw new IOException($"cannot start /bin/sh -c {command}");
        var drainOut = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var drainErr = p.StandardError.BaseStream.CopyToAsync(Stream.Null);
        try
        {
            using var s = vector.Open();
            s.CopyTo(p.StandardInput.BaseStream);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // The parser stopped reading early (it rejected the stream): its exit status decides.
        }
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{command} took longer than {Timeout.TotalSeconds} s on this vector (--timeout)");
        }
        Task.WaitAll(drainOut, drainErr);
        // /bin/sh -c: 126 not executable, 127 not found, 128+n the command died of signal n
        // (POSIX, "Shell Command Language", 2.8.2 Exit Status for Commands).
        return p.ExitCode switch
        {
            0 => Outcome.Accept,
            126 => throw new HarnessException($"exec:{command}: /bin/sh could not execute the command (exit 126): no vector was judged"),
            127 => throw new HarnessException($"exec:{command}: /bin/sh did not find the command (exit 127): no vector was judged"),
            > 128 and < 160 => throw new InvalidOperationException($"{command} died of signal {p.ExitCode - 128} (exit {p.ExitCode}): an error, not a verdict"),
            _ => new Outcome(false),
        };
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>Opens an implementation by name.</summary>
public static class Implementations
{
    /// <summary>The implementations the CLI accepts.</summary>
    public const string Help = "validator, model, emulated, debugfs:<vf directory>, vfio:<device path>, exec:<command>";

    /// <summary>Opens <paramref name="spec"/>.</summary>
    public static IConformanceImpl Open(string spec, WriteSplit split, TimeSpan? timeout = null) => spec switch
    {
        "validator" => new ValidatorImpl(),
        "model" => new ModelImpl(split),
        "emulated" => new EmulatedImpl(split),
        _ when spec.StartsWith("exec:", StringComparison.Ordinal) && spec.Length > 5 => new ExecImpl(spec[5..], timeout),
        _ when spec.StartsWith("debugfs:", StringComparison.Ordinal) || spec.StartsWith("vfio:", StringComparison.Ordinal) => new DeviceImpl(DeviceSpec.Open(spec, "--impl"), spec),
        _ => throw new SpecTextException($"--impl: '{spec}' is not an implementation ({Help})"),
    };
}

/// <summary>One restore attempt on a device: entering RESUMING, the writes, leaving RESUMING.</summary>
internal static class Restores
{
    /// <summary>Restores with <paramref name="write"/>; a failed write becomes <paramref name="writeFailed"/>'s outcome.</summary>
    public static Outcome Attempt(IMigrationDevice device, Action<Stream> write, Func<DeviceException, Outcome> writeFailed)
    {
        device.Pause();
        Stream sink;
        try
        {
            sink = device.BeginRestore();
        }
        catch (DeviceException e)
        {
            return new Outcome(false, (Errno)e.Errno, ReportedAt.Setup);
        }
        try
        {
            write(sink);
        }
        catch (DeviceException e)
        {
            return writeFailed(e);
        }
        try
        {
            device.FinishRestore();
            return Outcome.Accept;
        }
        catch (DeviceException e)
        {
            return new Outcome(false, (Errno)e.Errno, ReportedAt.Finish);
        }
    }
}

/// <summary>Writes a vector in chunks.</summary>
internal static class Writes
{
    /// <summary>Pushes the vector's bytes through <paramref name="write"/> in the split's chunks;
    /// stops at and returns the first failure.</summary>
    public static RuleViolation? Push(CorpusVector vector, WriteSplit split, Func<ReadOnlyMemory<byte>, RuleViolation?> write)
    {
        var next = split.Sizes(vector.Entry.Name);
        using var s = vector.Open();
        var buffer = new byte[1 << 20];
        while (true)
        {
            var want = Math.Min(next(), buffer.Length);
            var have = 0;
            while (have < want)
            {
                var n = s.Read(buffer, have, want - have);
                if (n == 0) break;
                have += n;
            }
            if (have == 0) return null;
            if (write(buffer.AsMemory(0, have)) is { } f) return f;
        }
    }
}
