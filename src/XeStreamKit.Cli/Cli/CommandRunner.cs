using XeStreamKit.Text;

namespace XeStreamKit.Cli.Cli;

/// <summary>
/// Runs a command body and turns failures into one line on stderr and a documented exit code,
/// never a stack trace: bad data 2, bad usage 1, I/O 4.
/// </summary>
public static class CommandRunner
{
    /// <summary>Runs <paramref name="body"/>; returns its exit code or the one its failure maps to.</summary>
    public static int Run(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (MigrationStreamFormatException e)
        {
            stderr.WriteLine($"xsk: {e.Message}");
            return ExitCode.InvalidStream;
        }
        catch (Exception e) when (e is UsageException or SpecTextException)
        {
            stderr.WriteLine($"xsk: {e.Message}");
            return ExitCode.Usage;
        }
        catch (Devices.DeviceException e)
        {
            stderr.WriteLine($"xsk: {e.Message}");
            return ExitCode.IoError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"xsk: {Describe(e)}");
            return ExitCode.IoError;
        }
    }

    /// <summary>One line for an I/O failure, with the errno name when there is one.</summary>
    public static string Describe(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();
}
