using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Native;

/// <summary>What the native smoke suites (x64 and arm64) share: running a native <c>xsk</c> with an
/// empty environment but PATH (nothing of .NET reachable), comparing it with the JIT build run
/// in-process, and JSON without its time measurements.</summary>
internal static class NativeComparison
{
    /// <summary>Runs <paramref name="program"/> <paramref name="arguments"/> with only PATH (and
    /// <paramref name="environment"/>) set, feeding it <paramref name="stdin"/>.</summary>
    public static CliHarness.Result Run(string program, IEnumerable<string> arguments, byte[]? stdin, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        var bytes = stdout.ToArray();
        return new CliHarness.Result(p.ExitCode, Encoding.UTF8.GetString(bytes), stderr.Result, bytes);
    }

    /// <summary>Runs the JIT build and <paramref name="native"/> and asserts the same exit code,
    /// stdout and stderr; returns the native result.</summary>
    public static CliHarness.Result Same(Func<byte[]?, string[], CliHarness.Result> native, byte[]? stdin, string[] args)
    {
        var jit = CliHarness.Run(stdin, args);
        var result = native(stdin, args);
        result.ExitCode.ShouldBe(jit.ExitCode, $"xsk {string.Join(' ', args)}: {result.StdErr}");
        result.StdOut.ShouldBe(jit.StdOut, $"xsk {string.Join(' ', args)}");
        result.StdErr.ShouldBe(jit.StdErr, $"xsk {string.Join(' ', args)}");
        return result;
    }

    /// <summary>A JSON document without the fields that are measurements of time.</summary>
    public static string WithoutTimes(string json)
    {
        var node = JsonNode.Parse(json)!;
        Strip(node);
        return node.ToJsonString();

        static void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var key in o.Select(kv => kv.Key).Where(k => k is "seconds" or "totalSeconds" or "gbPerSecond").ToList()) o.Remove(key);
                foreach (var kv in o) Strip(kv.Value);
            }
            else if (n is JsonArray a)
                foreach (var item in a) Strip(item);
        }
    }
}
