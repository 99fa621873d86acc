using System.CommandLine;
using System.CommandLine.Help;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Commands;
using XeStreamKit.Cli.Native;

namespace XeStreamKit.Cli;

/// <summary>The <c>xsk</c> command tree.</summary>
public static class XskApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(ctx);
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "No progress line and no notes on stderr; results and errors still print",
            Recursive = true,
        };
        var root = new RootCommand("XeStreamKit: inspect, validate, save and restore Intel Xe SR-IOV VF migration streams")
        {
            InspectCommand.Create(ctx),
            ValidateCommand.Create(ctx),
            ReportCommand.Create(ctx),
            CompatCommand.Create(ctx),
            SaveCommand.Create(ctx),
            RestoreCommand.Create(ctx),
            CorpusCommand.Create(ctx),
            ConformanceCommand.Create(ctx),
            DemoCommand.Create(ctx),
            QemuCommand.Create(ctx),
            BenchCommand.Create(ctx),
            RulesCommand.Create(ctx),
        };
        root.Options.Add(quiet);
        root.Subcommands.Add(CompletionCommand.Create(ctx, root));
        VersionReport.Install(root, ctx.Out);
        // No response files: '@host.json' is a target spec, not a file of arguments.
        var result = root.Parse(OptionAliases.Rewrite(args, ctx.Error), new ParserConfiguration { ResponseFileTokenReplacer = null });
        ctx.Json = JsonRequested(args);
        ctx.Quiet = result.GetValue(quiet);
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            // One line and a hint, not the whole help.
            var path = string.Join(' ', CommandPath(result.CommandResult.Command));
            var message = Reworded(result.Errors[0].Message.TrimEnd('.'));
            return CommandRunner.Invoke(ctx, () => throw new UsageException($"{message} (see: {path} --help)"));
        }
        return CommandRunner.Invoke(ctx, () =>
            result.Invoke(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error, EnableDefaultExceptionHandler = false }));
    }

    /// <summary>The parser's type errors without .NET type names ("System.Nullable`1[System.UInt32]").</summary>
    private static string Reworded(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'$");
        if (!m.Success) return message;
        var type = m.Groups[3].Value;
        var what = type.Contains("Double", StringComparison.Ordinal) ? "a number" : type.Contains("Int", StringComparison.Ordinal) ? "a whole number" : "a valid value";
        return $"{m.Groups[2].Value}: '{m.Groups[1].Value}' is not {what}";
    }

    /// <summary>True when <c>--json</c> comes before any <c>--</c>.</summary>
    private static bool JsonRequested(string[] args)
    {
        foreach (var a in args)
        {
            if (a == "--") return false;
            if (a == "--json") return true;
        }
        return false;
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Add(c is RootCommand ? "xsk" : c.Name);
        names.Reverse();
        return names;
    }
}
