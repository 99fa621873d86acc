using System.Diagnostics;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// Runs the real <c>xsk</c> (the built xsk.dll next to the tests) in a bash command line, for
/// what an in-process run cannot show: closed or full standard streams, pipes whose reader goes
/// away, signals. The GC heap is capped (<see cref="HeapLimitBytes"/>), so a command that reads
/// an input whole fails with "out of memory" instead of passing: memory is bounded by the test.
/// </summary>
public static class XskProcess
{
    public const long HeapLimitBytes = 192L << 20;

    public sealed record Result(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed, bool TimedOut);

    /// <summary>The command that starts xsk (used unquoted as $XSK: the path has no blanks).</summary>
    public static string Xsk => "dotnet " + Path.Combine(AppContext.BaseDirectory, "xsk.dll");

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs <paramref name="script"/> with <c>bash -c</c> (pipefail on) in <paramref name="directory"/>; <c>$XSK</c> is xsk.</summary>
    public static Result Run(string script, string directory, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = directory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("set -o pipefail; " + script);
        psi.Environment["XSK"] = Xsk;
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimitBytes.ToString("X");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var done = p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60));
        if (!done) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return new Result(done ? p.ExitCode : -1, stdout.Result, stderr.Result, clock.Elapsed, !done);
    }
}
