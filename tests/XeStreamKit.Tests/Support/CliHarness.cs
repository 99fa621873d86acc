using System.Text;
using XeStreamKit.Cli;
using XeStreamKit.Cli.Plumbing;

namespace XeStreamKit.Tests.Support;

/// <summary>Runs <c>xsk</c> in-process with captured output.</summary>
public static class CliHarness
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr, byte[] StdOutBytes);

    public static Result Run(byte[]? stdin, params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };
        var ctx = new CliContext(new MemoryStream(stdin ?? []), stdout, stderr, terminal: false);
        var code = XskApp.Run(args, ctx);
        var bytes = stdout.ToArray();
        return new Result(code, Encoding.UTF8.GetString(bytes), stderr.ToString(), bytes);
    }
}
