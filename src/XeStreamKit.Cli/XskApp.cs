using System.CommandLine;
using XeStreamKit.Cli.Cli;
using XeStreamKit.Cli.Commands;
using XeStreamKit.Cli.Native;

namespace XeStreamKit.Cli;

/// <summary>The <c>xsk</c> command tree.</summary>
public static class XskApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        var root = new RootCommand("XeStreamKit: inspect, validate, save and restore Intel Xe SR-IOV VF migration streams")
        {
            InspectCommand.Create(ctx),
            ValidateCommand.Create(ctx),
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
        root.Subcommands.Add(CompletionCommand.Create(ctx, root));
        VersionReport.Install(root, ctx.Out);
        // No response files: '@host.json' is a target spec, not a file of arguments.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var code = result.Invoke(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error, EnableDefaultExceptionHandler = false });
        ctx.Flush();
        return code;
    }
}
