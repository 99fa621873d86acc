using System.CommandLine;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Completion;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk completion bash|zsh|fish</c>: the shell completion script, generated from the
/// command tree this binary parses with (so it names every command and option there is).</summary>
public static class CompletionCommand
{
    /// <summary>Builds the command; <paramref name="root"/> is the tree to describe (this command included).</summary>
    public static Command Create(CliContext ctx, Command root)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var json = new Option<bool>("--json") { Description = "Print {\"shell\",\"script\"} instead of the script" };
        var cmd = new Command("completion", "Print the shell completion script: xsk completion bash > /etc/bash_completion.d/xsk, or source <(xsk completion bash)")
        {
            shell, json,
        };
        cmd.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var tree = CompletionTree.From(root);
            var name = parse.GetValue(shell)!;
            var script = name switch
            {
                "bash" => BashCompletion.Script(tree),
                "zsh" => ZshCompletion.Script(tree),
                _ => FishCompletion.Script(tree),
            };
            if (parse.GetValue(json))
                JsonOut.Document(ctx.StdOut, new CompletionJson(name, script), CliJsonContext.Default.CompletionJson);
            else
                ctx.Out.Write(script);
            return ExitCode.Ok;
        }));
        return cmd;
    }
}
