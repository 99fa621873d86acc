using System.CommandLine;

namespace XeStreamKit.Cli.Report;

/// <summary>What a page says about how it was made: the tool's version and the command line.</summary>
internal static class ReportCommandLine
{
    /// <summary>The informational version of <c>xsk</c>.</summary>
    public static string ToolVersion => Native.BuildInfo.Version;

    /// <summary>The command as typed, each argument quoted for a POSIX shell where needed.</summary>
    public static string Of(ParseResult parse) => "xsk " + string.Join(' ', parse.Tokens.Select(t => Quote(t.Value)));

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ',' or '=' or ':' or '@' or '+')
            ? token
            : "'" + token.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
