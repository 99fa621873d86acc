using XeStreamKit.Text;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// The one error handler: every failure of every verb becomes one line on stderr
/// (<c>xsk: ...</c>) and a documented exit code, never a stack trace - bad usage 1, bad data 2,
/// I/O or device 4, and 70 for a fault of xsk itself (a bug, said so). With <c>--json</c> the
/// failure is also one JSON document on stdout (<see cref="JsonOut.Failure"/>), unless stdout
/// already holds output or carries a stream.
/// </summary>
public static class CommandRunner
{
    /// <summary>Runs a verb's body. Its failures propagate to <see cref="Invoke"/>, which
    /// <see cref="XskApp"/> wraps around every command, so they are handled in one place.</summary>
    public static int Run(TextWriter stderr, Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body();
    }

    /// <summary>Runs <paramref name="body"/> and flushes stdout; returns its exit code or the one
    /// its failure maps to, after reporting it.</summary>
    public static int Invoke(CliContext ctx, Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            var code = body();
            ctx.Flush();
            return code;
        }
        catch (Exception e)
        {
            var failure = Failure.From(e);
            Report(ctx, failure);
            return failure.ExitCode;
        }
    }

    /// <summary>Writes <paramref name="failure"/>: one line on stderr and, in JSON mode, the error document.</summary>
    public static void Report(CliContext ctx, Failure failure)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(failure);
        try
        {
            ctx.Error.WriteLine($"xsk: {failure.Message}");
            if (ctx.Json && !failure.OnStdout)
            {
                if (ctx.StdOutCarriesData) JsonOut.Failure(ctx.Error, failure);
                else if (!ctx.StdOutUsed)
                {
                    JsonOut.Failure(ctx.StdOut, failure);
                    ctx.StdOut.Flush();
                }
            }
            ctx.Error.Flush();
        }
        catch (IOException)
        {
            // stdout or stderr itself is gone: the exit code is all that is left.
        }
    }

    /// <summary>One line for an I/O failure, with the errno name when there is one.</summary>
    public static string Describe(Exception e) => Failure.From(e).Message;
}

/// <summary>What went wrong, as the handler reports it.</summary>
public sealed record Failure(string Message, int ExitCode)
{
    /// <summary>The errno (positive), when a system call failed.</summary>
    public int? Errno { get; init; }

    /// <summary>Where in the stream, for a malformed stream.</summary>
    public long? StreamOffset { get; init; }

    /// <summary>Which packet, for a malformed stream (-1: none).</summary>
    public long? PacketIndex { get; init; }

    /// <summary>Which header field or rule, for a malformed stream.</summary>
    public string? Field { get; init; }

    /// <summary>True when writing stdout failed (nothing more can go there).</summary>
    public bool OnStdout { get; init; }

    /// <summary>The failure <paramref name="e"/> stands for.</summary>
    public static Failure From(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case MigrationStreamFormatException f:
                return new Failure(OneLine(f.Message), Plumbing.ExitCode.InvalidStream) { StreamOffset = f.StreamOffset, PacketIndex = f.PacketIndex, Field = f.Field };
            case UsageException or SpecTextException:
                return new Failure(OneLine(e.Message), Plumbing.ExitCode.Usage);
            case Devices.DeviceException d:
                return new Failure(OneLine(d.Message), Plumbing.ExitCode.IoError) { Errno = d.Errno };
            case ErrnoException x:
                return new Failure(OneLine(x.Message), Plumbing.ExitCode.IoError) { Errno = x.Errno, OnStdout = x.OnStdout };
            case IOException or UnauthorizedAccessException:
                return new Failure(OneLine(e.Message), Plumbing.ExitCode.IoError) { Errno = SystemErrors.Errno(e) };
            case InvalidDataException:
                // A damaged input file other than a stream (a corpus manifest, a vector).
                return new Failure(OneLine(e.Message), Plumbing.ExitCode.IoError);
            case OutOfMemoryException or InsufficientExecutionStackException:
                return new Failure($"out of memory: {OneLine(e.Message)}", Plumbing.ExitCode.IoError) { Errno = 12 };
            default:
                return new Failure($"internal error (a bug in xsk, please report it with the command line): {e.GetType().Name}: {OneLine(e.Message)}", Plumbing.ExitCode.Internal);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
