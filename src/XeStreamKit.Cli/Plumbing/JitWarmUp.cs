using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// Compiles, on another core, code a command runs only after its pass over the image (the
/// report's page drawing), so that under the JIT the compilation overlaps the pass instead of
/// following it. Under the JIT that compilation was ~33 ms of a ~195 ms report of a page-cached
/// 2 GiB image, against a ~160 ms validate (bench/README.md, issue 15). Nothing happens in a
/// native build (there is no JIT), on one core (it would only compete with the pass), or with
/// <c>XSK_NO_WARM_UP=1</c>.
/// </summary>
/// <remarks>
/// Only compilation: <see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle)"/> runs no
/// user code (it may run a type's static constructor, as its first call would). A method the
/// command reaches while it is being compiled here waits for that compilation and is not
/// compiled twice. Failures are ignored: the method is then compiled at its first call, as
/// without the warm-up.
/// </remarks>
internal static class JitWarmUp
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;

    /// <summary>Starts compiling every non-generic method and constructor of <paramref name="types"/>
    /// and of their nested types (lambdas, closures) on a background thread, then runs
    /// <paramref name="rehearse"/> there (a throwaway run of the code, for the generic
    /// instantiations and type initialisers no list of methods names); returns at once.</summary>
    public static void Start(Type[] types, Func<object>? rehearse = null)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled || Environment.ProcessorCount < 2 || Environment.GetEnvironmentVariable("XSK_NO_WARM_UP") == "1") return;
        var thread = new Thread(() =>
        {
            // Nothing that fails here may end the process (an exception on this thread would):
            // what was not compiled is compiled by the real run, as without the warm-up.
            try
            {
                _ = Prepare(types);
                _ = rehearse?.Invoke();
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }) { IsBackground = true, Name = "xsk jit warm-up" };
        thread.Start();
    }

    /// <summary>Compiles the methods of <paramref name="types"/> here and now; returns how many were compiled.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "JIT builds only (RuntimeFeature.IsDynamicCodeCompiled); nothing is trimmed there, and a member that is missing is simply not compiled ahead of its call.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above: JIT builds only.")]
    internal static int Prepare(Type[] types)
    {
        var compiled = 0;
        var pending = new Stack<Type>(types);
        while (pending.TryPop(out var type))
        {
            foreach (var nested in type.GetNestedTypes(Declared)) pending.Push(nested);
            if (type.ContainsGenericParameters) continue;
            foreach (var method in type.GetMethods(Declared)) compiled += Prepare(method);
            foreach (var constructor in type.GetConstructors(Declared)) compiled += Prepare(constructor);
        }
        return compiled;
    }

    private static int Prepare(MethodBase method)
    {
        if (method.IsAbstract || method.ContainsGenericParameters) return 0;
        try
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or TypeLoadException or BadImageFormatException)
        {
            // Compiled at its first call instead.
            return 0;
        }
    }
}
