namespace XeStreamKit.Cli.Plumbing;

/// <summary>The exit codes every command uses (documented in README.md).</summary>
public static class ExitCode
{
    /// <summary>Success: the stream is fine, the target is compatible, the operation completed.</summary>
    public const int Ok = 0;
    /// <summary>Bad command line: unknown option, malformed target or device spec.</summary>
    public const int Usage = 1;
    /// <summary>The stream is malformed or breaks the chosen profile.</summary>
    public const int InvalidStream = 2;
    /// <summary>The stream would not restore on the target.</summary>
    public const int Incompatible = 3;
    /// <summary>A file, pipe or device could not be read or written, or a device operation failed.</summary>
    public const int IoError = 4;
    /// <summary>A fault of xsk itself (a bug): reported in one line, never as a stack trace.</summary>
    public const int Internal = 70;
}
