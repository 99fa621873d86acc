using System.Runtime.InteropServices;
using XeStreamKit.Harness.Benchmarking;

namespace XeStreamKit.Cli.Native;

/// <summary>
/// The portable native <c>xsk</c> (x86-64-v2) hands the process over to the AVX-512 flavour
/// (<c>xsk-x86-64-v4</c>, installed next to it or in <c>../lib/xsk/</c>) when the CPU and the
/// kernel support AVX-512: an AOT binary cannot use instruction sets above its baseline, and the
/// emulation kernels (seeded VRAM) need AVX-512DQ to keep up with the JIT.
/// The v4 binary refuses to start on a CPU without them, so the portable one decides. The decision
/// is made in an ELF constructor before the runtime starts (<c>Native/flavour_dispatch.c</c>, the
/// same rules with CPUID); this class names the files and says, for <c>--version --verbose</c>,
/// why a portable binary is running on a CPU that could run the v4 one.
/// </summary>
internal static class FlavourDispatch
{
    /// <summary>Set to <c>portable</c> to keep the portable flavour (tests, comparisons).</summary>
    public const string Variable = "XSK_CPU";

    /// <summary>The file name of the AVX-512 flavour.</summary>
    public const string FastName = "xsk-x86-64-v4";

    /// <summary>The x86-64-v4 level: what the v4 flavour is compiled for plus AES (as /proc/cpuinfo spells them).</summary>
    private static readonly string[] V4Flags = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx2", "bmi1", "bmi2", "fma", "movbe", "pclmulqdq", "aes"];

    /// <summary>True when the first CPU's flags in /proc/cpuinfo include x86-64-v4. The kernel
    /// clears the AVX-512 flags when it does not save their register state, so this also says the
    /// OS supports them (what the runtime checks with XGETBV before starting the v4 binary).</summary>
    internal static bool CpuHasV4()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var flags = new HashSet<string>(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
                return V4Flags.All(flags.Contains);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return false;
    }
}
