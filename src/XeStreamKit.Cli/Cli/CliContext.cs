using System.Text;

namespace XeStreamKit.Cli.Cli;

/// <summary>The process's standard streams, injectable so tests run commands in-process.</summary>
public sealed class CliContext
{
    private TextWriter? _out;

    /// <summary>Wraps the given streams.</summary>
    public CliContext(Stream stdin, Stream stdout, TextWriter stderr, bool terminal)
    {
        StdIn = stdin;
        StdOut = stdout;
        Error = stderr;
        Terminal = terminal;
    }

    /// <summary>The real console.</summary>
    public static CliContext FromConsole() =>
        new(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, ProgressMeter.TerminalAttached);

    /// <summary>Standard input, for <c>-</c>.</summary>
    public Stream StdIn { get; }

    /// <summary>Standard output as bytes (streams written with <c>-o -</c>, JSON).</summary>
    public Stream StdOut { get; }

    /// <summary>Standard output as text.</summary>
    public TextWriter Out => _out ??= new StreamWriter(StdOut, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };

    /// <summary>Standard error: diagnostics and progress.</summary>
    public TextWriter Error { get; }

    /// <summary>True when stderr is a terminal (progress is shown).</summary>
    public bool Terminal { get; }

    /// <summary>Flushes text written to <see cref="Out"/>.</summary>
    public void Flush()
    {
        _out?.Flush();
        StdOut.Flush();
        Error.Flush();
    }
}
