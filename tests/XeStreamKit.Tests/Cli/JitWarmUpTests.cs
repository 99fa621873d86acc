using XeStreamKit.Cli.Commands;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Report;

namespace XeStreamKit.Tests.Cli;

/// <summary>The report's page code, compiled during the pass under the JIT (issue 15).</summary>
public sealed class JitWarmUpTests
{
    [Fact]
    public void The_page_code_compiles_ahead_of_its_first_call_lambdas_included()
    {
        ReportCommand.PageCode.ShouldContain(typeof(ReportPage));
        ReportCommand.PageCode.ShouldContain(typeof(VramMapSvg));
        // Every method and constructor of those types and of their closures.
        var expected = ReportCommand.PageCode.SelectMany(Nested).Where(t => !t.ContainsGenericParameters)
            .Sum(t => t.GetMethods(Flags).Count(m => !m.IsAbstract && !m.ContainsGenericParameters) + t.GetConstructors(Flags).Length);
        expected.ShouldBeGreaterThan(100);
        JitWarmUp.Prepare(ReportCommand.PageCode).ShouldBe(expected);
        JitWarmUp.Prepare([]).ShouldBe(0);
    }

    [Fact]
    public void The_rehearsal_draws_both_maps_of_its_made_up_stream_hole_included()
    {
        var svg = ReportPage.Rehearse();
        svg.ShouldContain("id=\"stream-map\"");
        svg.ShouldContain("class=\"vram-map\"");
        svg.Split("class=\"chunk\"").Length.ShouldBe(3);
        svg.ShouldContain("class=\"gap\"");
        svg.ShouldContain("hole: no chunk covers LMEM [0x1000, 0x3000), 8.0 KiB");
    }

    private const System.Reflection.BindingFlags Flags = System.Reflection.BindingFlags.DeclaredOnly | System.Reflection.BindingFlags.Public
        | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Instance;

    private static IEnumerable<Type> Nested(Type t) => t.GetNestedTypes(Flags).SelectMany(Nested).Prepend(t);
}
