using System.Text;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>The process's standard streams, injectable so tests run commands in-process.</summary>
public sealed class CliContext
{
    private readonly bool _terminal;
    private TextWriter? _out;

    /// <summary>Wraps the given streams.</summary>
    public CliContext(Stream stdin, Stream stdout, TextWriter stderr, bool terminal)
    {
        StdIn = stdin;
        StdOut = stdout as NamedStream ?? new NamedStream("stdout", stdout, ownsInner: false, isStdout: true);
        Error = stderr;
        _terminal = terminal;
    }

    /// <summary>The real console: descriptors 0 and 1 opened so that their errors are seen
    /// (<see cref="StandardStreams"/>), temporary files removed on SIGINT/SIGTERM/SIGHUP.</summary>
    public static CliContext FromConsole()
    {
        TempFiles.RemoveOnSignals();
        return new(StandardStreams.OpenInput(), StandardStreams.OpenOutput(), Console.Error, ProgressMeter.TerminalAttached);
    }

    /// <summary>Standard input, for <c>-</c>.</summary>
    public Stream StdIn { get; }

    /// <summary>Standard output as bytes (streams written with <c>-o -</c>, JSON).</summary>
    public NamedStream StdOut { get; }

    /// <summary>Standard output as text.</summary>
    public TextWriter Out => _out ??= new StreamWriter(StdOut, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };

    /// <summary>Standard error: diagnostics and progress.</summary>
    public TextWriter Error { get; }

    /// <summary>True when stderr is a terminal and <c>--quiet</c> was not given: progress is shown.</summary>
    public bool Terminal => _terminal && !Quiet;

    /// <summary>True when the command line asked for <c>--json</c>: failures are a JSON document too.</summary>
    public bool Json { get; set; }

    /// <summary>True with <c>--quiet</c>: no progress, no notes, no summary on success; errors still.</summary>
    public bool Quiet { get; set; }

    /// <summary>True when stdout carries a migration stream (<c>-o -</c>): no report may go there.</summary>
    public bool StdOutCarriesData { get; set; }

    /// <summary>Where notes and summaries meant for people go: stderr, or nowhere with <c>--quiet</c>.</summary>
    public TextWriter Notes => Quiet ? TextWriter.Null : Error;

    /// <summary>True when something was written to stdout (text or bytes).</summary>
    public bool StdOutUsed
    {
        get
        {
            try
            {
                // StreamWriter does not expose its buffer: a flush makes the count exact.
                _out?.Flush();
            }
            catch (IOException)
            {
                return true;
            }
            return StdOut.BytesWritten > 0 || StdOut.Failed;
        }
    }

    /// <summary>Flushes text written to <see cref="Out"/>.</summary>
    public void Flush()
    {
        _out?.Flush();
        StdOut.Flush();
        Error.Flush();
    }
}
