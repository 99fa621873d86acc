using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Native;

/// <summary>
/// <c>xsk --version [--verbose]</c>: the version, and with <c>--verbose</c> how the binary was
/// built and which vector and CRC-32C paths run on this CPU (a native build's instruction-set
/// flavour decides what exists at all).
/// </summary>
internal static class VersionReport
{
    /// <summary>Replaces the root's version action; adds <c>--verbose</c>, accepted only with <c>--version</c>.</summary>
    public static void Install(RootCommand root, TextWriter output)
    {
        var verbose = new Option<bool>("--verbose") { Description = "With --version: the build (JIT or native, instruction-set flavour) and the vector and CRC-32C paths this CPU runs" };
        root.Options.Add(verbose);
        var version = root.Options.OfType<VersionOption>().Single();
        version.Validators.Clear();
        version.Validators.Add(r =>
        {
            if (!r.Implicit && r.Parent is CommandResult parent && parent.Children.Any(c => c is not OptionResult { Option: VersionOption } && c is not OptionResult { Option.Name: "--verbose" }))
                r.AddError("--version can be combined only with --verbose");
        });
        version.Action = new Print(output, verbose);
        verbose.Validators.Add(r =>
        {
            if (!r.Implicit && r.Parent is CommandResult parent && !parent.Children.Any(c => c is OptionResult { Option: VersionOption }))
                r.AddError("--verbose goes with --version (xsk --version --verbose)");
        });
    }

    /// <summary>The version the binary carries (informational version, with the commit).</summary>
    public static string Version => BuildInfo.Version;

    /// <summary>The lines of <c>--version --verbose</c>.</summary>
    public static IEnumerable<string> Lines()
    {
        yield return $"xsk {Version}";
        yield return $"build: {CodeGeneration.Describe()}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}; globalization invariant (no ICU)";
        yield return "os: " + RuntimeInformation.OSDescription;
        yield return $"vectors: {VectorWidth()}; 64-bit lane multiplies (seeded VRAM): {(Avx512DQ.VL.IsSupported ? "AVX-512DQ" : "scalar")}";
        yield return "crc-32c: " + (StreamDigest.Crc32CInterleaved ? "3 interleaved lanes (SSE4.2 CRC32 + PCLMULQDQ)" : Sse42.X64.IsSupported ? "1 lane (SSE4.2 CRC32)" : Crc32.Arm64.IsSupported ? "1 lane (ARMv8 CRC32)" : "1 lane");
        if (CodeGeneration.Flavour == "x86-64-v2")
            yield return FlavourDispatch.CpuHasV4()
                ? $"flavour: this CPU runs x86-64-v4, but {FlavourDispatch.FastName} was not found next to this binary (or {FlavourDispatch.Variable}=portable): AVX-512 paths are off"
                : "flavour: portable (this CPU has no AVX-512)";
    }

    private static string VectorWidth() =>
        Vector512.IsHardwareAccelerated ? "512-bit (AVX-512)" : Vector256.IsHardwareAccelerated ? "256-bit (AVX2)" : Vector128.IsHardwareAccelerated ? (AdvSimd.IsSupported ? "128-bit (AdvSIMD)" : "128-bit") : "none";

    private sealed class Print(TextWriter output, Option<bool> verbose) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            if (parseResult.GetValue(verbose))
                foreach (var line in Lines()) output.WriteLine(line);
            else
                output.WriteLine(Version);
            return 0;
        }
    }
}
