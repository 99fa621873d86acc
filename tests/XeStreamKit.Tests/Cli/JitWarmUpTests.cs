using XeStreamKit.Cli.Commands;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Report;

namespace XeStreamKit.Tests.Cli;

/// <summary>The report's page code, compiled during the pass under the JIT (issue 15).</summary>
public sealed class JitWarmUpTests
{
    [Fact]
    public void The_page_code_compiles_ahead_of_its_first_call_and_generic_definitions_are_left_alone()
    {
        ReportCommand.PageCode.ShouldContain(typeof(ReportPage));
        ReportCommand.PageCode.ShouldContain(typeof(VramMapSvg));
        // Every method and constructor of those types and of their closures, none refused.
        JitWarmUp.Prepare(ReportCommand.PageCode).ShouldBeGreaterThan(100);
        JitWarmUp.Prepare([typeof(StreamMapSvg)]).ShouldBeGreaterThan(typeof(StreamMapSvg).GetMethods(System.Reflection.BindingFlags.DeclaredOnly
            | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic).Length, "its lambdas too");
        JitWarmUp.Prepare([typeof(List<>)]).ShouldBe(0);
        JitWarmUp.Prepare([]).ShouldBe(0);
    }

    [Fact]
    public void The_rehearsal_draws_the_page_of_its_made_up_stream_hole_included()
    {
        var svg = ReportPage.Rehearse();
        svg.ShouldContain("id=\"stream-map\"");
        svg.ShouldContain("class=\"vram-map\"");
        svg.Split("class=\"chunk\"").Length.ShouldBe(3);
        svg.ShouldContain("class=\"gap\"");
        svg.ShouldContain("hole: no chunk covers LMEM [0x1000, 0x3000), 8.0 KiB");
    }
}
