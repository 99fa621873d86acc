using System.Runtime.Intrinsics.X86;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// A [Fact] for a vector path that exists only on CPUs with AVX-512DQ (64-bit lane multiplies);
/// elsewhere it is reported as skipped with the reason (never as passed).
/// </summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!(Avx512DQ.VL.IsSupported && Avx512F.VL.IsSupported))
            Skip = "this CPU has no AVX-512DQ: the vector path is not used here (the scalar path is tested everywhere)";
    }
}
