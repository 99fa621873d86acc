using System.Reflection;
using System.Runtime.CompilerServices;

namespace XeStreamKit.Harness.Benchmarking;

/// <summary>
/// How this process's code was compiled: by the JIT for this CPU, or ahead of time (Native AOT)
/// for an instruction-set flavour fixed at publish time. The flavour decides which vector and CRC
/// paths exist at all: an AOT build answers <c>IsSupported</c> for instruction sets above its
/// baseline with a constant false, except the few the compiler checks at run time (SSE4.2,
/// PCLMULQDQ, POPCNT, LZCNT, MOVBE).
/// </summary>
public static class CodeGeneration
{
    /// <summary>The assembly metadata key the CLI project stamps with its publish flavour.</summary>
    public const string FlavourMetadataKey = "XskCpu";

    /// <summary>True in a Native AOT binary (no JIT: dynamic code is not supported).</summary>
    public static bool IsNative => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>The instruction-set flavour of a native build (<c>x86-64-v2</c>, <c>x86-64-v4</c>),
    /// or null under the JIT.</summary>
    public static string? Flavour { get; } = IsNative ? ReadFlavour() : null;

    /// <summary><c>JIT</c>, or <c>native AOT x86-64-v4</c>.</summary>
    public static string Describe() => Flavour is { } f ? "native AOT " + f : IsNative ? "native AOT" : "JIT";

    private static string? ReadFlavour()
    {
        foreach (var a in Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>() ?? [])
            if (a.Key == FlavourMetadataKey) return a.Value;
        return null;
    }
}
