using System.Diagnostics;
using XeStreamKit.Compatibility;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Harness.Conformance;

/// <summary>An implementation of the restore side under test: it takes a vector and says what
/// happened, as far as it can observe (an exec'd parser only says accepted or not).</summary>
public interface IConformanceImpl : IDisposable
{
    /// <summary>Name in reports (<c>validator</c>, <c>model</c>, <c>emulated</c>, <c>debugfs:...</c>, ...).</summary>
    string Name { get; }

    /// <summary>Restores (or checks) <paramref name="vector"/> for <paramref name="target"/>.</summary>
    Outcome Run(CorpusVector vector, TargetProfile target);

    /// <summary>True when the vector reaches a real driver (or an arbitrary program that may drive
    /// one): vectors that crash or hang the driver are skipped unless explicitly allowed.</summary>
    bool ReachesRealDriver => false;
}

/// <summary>The result of one vector on one implementation.</summary>
public sealed record VectorResult(CorpusEntry Entry, string Impl, Outcome Expected, Outcome? Actual, bool Passed, string Detail, TimeSpan Elapsed)
{
    /// <summary>True when the vector was not run: a driver hazard against a real driver without --allow-hazards.</summary>
    public bool Skipped { get; init; }

    /// <summary>True for <c>i_</c> vectors: their result documents behaviour rather than judges it.</summary>
    public bool Informational => Entry.Kind == VectorKind.ImplementationDefined;
}

/// <summary>The harness cannot run the implementation at all (e.g. its command does not exist):
/// the run ends, no vector is judged.</summary>
public sealed class HarnessException(string message) : IOException(message);

/// <summary>Runs vectors through implementations and compares with the manifest's expectations.</summary>
public static class ConformanceRunner
{
    /// <summary>Runs every vector through <paramref name="impl"/> for <paramref name="driver"/>;
    /// a vector expected to crash or hang the driver is skipped on a real driver unless
    /// <paramref name="allowHazards"/>.</summary>
    public static IEnumerable<VectorResult> Run(IEnumerable<CorpusVector> vectors, IConformanceImpl impl, DriverVersion driver, bool allowHazards = false)
    {
        foreach (var v in vectors)
        {
            var target = TargetSpec.Parse(v.Entry.Target, $"{v.Entry.Name} target", source: HostTargetSource.Default).Target with { Driver = driver };
            var expected = v.Entry.ExpectFor(driver);
            if (expected.Hazard != DriverHazard.None && impl.ReachesRealDriver && !allowHazards)
            {
                yield return new VectorResult(v.Entry, impl.Name, expected, null, true,
                    $"skipped: the driver would {(expected.Hazard == DriverHazard.Hang ? "hang" : "oops")} ({expected}); --allow-hazards runs it", TimeSpan.Zero) { Skipped = true };
                continue;
            }
            var clock = Stopwatch.StartNew();
            Outcome? actual;
            string detail;
            try
            {
                actual = impl.Run(v, target);
                detail = expected.Matches(actual) ? actual.ToString() : $"expected {expected}, got {actual}";
            }
            catch (Exception e) when (e is not (OutOfMemoryException or HarnessException))
            {
                actual = null;
                detail = $"expected {expected}, but the implementation failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            }
            yield return new VectorResult(v.Entry, impl.Name, expected, actual, actual is not null && expected.Matches(actual), detail, clock.Elapsed);
        }
    }
}
