using System.CommandLine;
using System.CommandLine.Completions;

namespace XeStreamKit.Cli.Completion;

/// <summary>An option as a shell completes it: its spellings, whether a value follows, the values
/// the command accepts (when it names them) and its help text.</summary>
internal sealed record CompletionOption(IReadOnlyList<string> Names, bool TakesValue, IReadOnlyList<string> Values, string Description);

/// <summary>A command as a shell completes it. <see cref="Path"/> is <c>""</c> for <c>xsk</c>
/// itself and <c>/conformance/run</c> for <c>xsk conformance run</c>.</summary>
internal sealed record CompletionNode(string Path, IReadOnlyList<(string Name, string Description)> Subcommands, IReadOnlyList<CompletionOption> Options, bool TakesArguments, IReadOnlyList<string> ArgumentValues)
{
    /// <summary>Every option name, space-separated, as the shell scripts list them.</summary>
    public string OptionWords => string.Join(" ", Options.SelectMany(o => o.Names));

    /// <summary>The names of the options that take a value, space-separated.</summary>
    public string ValueOptionWords => string.Join(" ", Options.Where(o => o.TakesValue).SelectMany(o => o.Names));

    /// <summary>The subcommand names, space-separated.</summary>
    public string CommandWords => string.Join(" ", Subcommands.Select(c => c.Name));

    /// <summary>The values an argument may take, space-separated.</summary>
    public string ArgumentWords => string.Join(" ", ArgumentValues);
}

/// <summary>
/// The command tree flattened for the shell scripts: read from the System.CommandLine commands
/// themselves, so completion follows every command and option as it is.
/// </summary>
internal static class CompletionTree
{
    /// <summary>Every command under <paramref name="root"/>, root first, depth first.</summary>
    public static IReadOnlyList<CompletionNode> From(Command root)
    {
        var nodes = new List<CompletionNode>();
        Walk(root, "", [], nodes);
        return nodes;
    }

    private static void Walk(Command command, string path, IReadOnlyList<Option> inherited, List<CompletionNode> nodes)
    {
        var options = command.Options.Concat(inherited.Where(o => !command.Options.Contains(o))).Where(o => !o.Hidden).ToList();
        nodes.Add(new CompletionNode(
            path,
            command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")).ToList(),
            options.Select(Describe).ToList(),
            command.Arguments.Any(a => !a.Hidden && a.Arity.MaximumNumberOfValues > 0),
            command.Arguments.Where(a => !a.Hidden).SelectMany(a => a.GetCompletions(CompletionContext.Empty)).Select(c => c.Label).Where(IsWord).Distinct().ToList()));
        var passedOn = inherited.Concat(command.Options.Where(o => o.Recursive)).Distinct().ToList();
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            Walk(sub, path + "/" + sub.Name, passedOn, nodes);
    }

    /// <summary>A value every shell can hold unquoted.</summary>
    private static bool IsWord(string v) => v.Length > 0 && v.All(c => !char.IsWhiteSpace(c) && c is not ('\'' or '"' or '\\' or '$' or '`' or '(' or ')' or '|' or ';' or '&' or '<' or '>' or '*' or '?'));

    private static CompletionOption Describe(Option option)
    {
        // Spellings a shell pattern can hold as they are ('-?' is a glob).
        var names = new[] { option.Name }.Concat(option.Aliases).Where(n => n.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')).Distinct().ToList();
        var flag = option.Arity.MaximumNumberOfValues == 0 || option.ValueType == typeof(bool);
        var values = flag ? [] : option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).Where(IsWord).ToList();
        return new CompletionOption(names, !flag, values, option.Description ?? "");
    }
}
