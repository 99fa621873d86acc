using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Report;

/// <summary>Writes reports with the real command (in process) into a temporary directory kept for the test class.</summary>
public sealed class ReportFiles : IDisposable
{
    private readonly TempDir _dir = new("xsk-report-");

    public string Dir => _dir.Path;

    /// <summary>Writes <paramref name="image"/> (when given) as <paramref name="name"/>.bin and runs
    /// <c>xsk report</c> on it (or on <paramref name="input"/>) with <paramref name="args"/>; returns the page's path and the run.</summary>
    public (string Html, CliHarness.Result Run) Report(string name, byte[]? image, string? input = null, params string[] args)
    {
        var source = input ?? _dir.File(name + ".bin", image!);
        var html = Path.Combine(Dir, name + ".html");
        var run = CliHarness.Run(null, ["report", source, "-o", html, .. args]);
        return (html, run);
    }

    public void Dispose() => _dir.Dispose();
}
