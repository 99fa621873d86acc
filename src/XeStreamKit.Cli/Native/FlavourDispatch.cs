using System.Runtime.InteropServices;
using XeStreamKit.Harness.Benchmarking;

namespace XeStreamKit.Cli.Native;

/// <summary>
/// The portable native <c>xsk</c> (x86-64-v2) hands the process over to the AVX-512 flavour
/// (<c>xsk-x86-64-v4</c>, installed next to it or in <c>../lib/xsk/</c>) when the CPU and the
/// kernel support AVX-512: an AOT binary cannot use instruction sets above its baseline, and the
/// emulation kernels (seeded VRAM) need AVX-512DQ to keep up with the JIT.
/// The v4 binary refuses to start on a CPU without them, so the portable one decides.
/// </summary>
internal static partial class FlavourDispatch
{
    /// <summary>Set to <c>portable</c> to keep the portable flavour (tests, comparisons).</summary>
    public const string Variable = "XSK_CPU";

    /// <summary>The file name of the AVX-512 flavour.</summary>
    public const string FastName = "xsk-x86-64-v4";

    /// <summary>The x86-64-v4 level: what the v4 flavour is compiled for (as /proc/cpuinfo spells it).</summary>
    private static readonly string[] V4Flags = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx2", "bmi1", "bmi2", "fma", "movbe", "pclmulqdq"];

    /// <summary>Replaces the process with the faster flavour when there is one for this CPU; returns otherwise.</summary>
    public static void ExecFasterFlavour(string[] args)
    {
        if (CodeGeneration.Flavour != "x86-64-v2" || Environment.GetEnvironmentVariable(Variable) == "portable") return;
        if (Environment.ProcessPath is not { } self || FindFast(Path.GetDirectoryName(self)!) is not { } fast) return;
        if (!CpuHasV4()) return;
        var argv = new IntPtr[args.Length + 2];
        argv[0] = Marshal.StringToCoTaskMemUTF8(fast);
        for (var i = 0; i < args.Length; i++) argv[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
        Execv(fast, argv);
        // execv returned: the file could not be run; the portable flavour does the job, slower.
    }

    /// <summary>The AVX-512 flavour next to <paramref name="dir"/> or in its <c>../lib/xsk</c>, or null.</summary>
    internal static string? FindFast(string dir)
    {
        foreach (var candidate in new[] { Path.Combine(dir, FastName), Path.Combine(dir, "..", "lib", "xsk", FastName) })
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        return null;
    }

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

    [LibraryImport("libc", EntryPoint = "execv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, IntPtr[] argv);
}
