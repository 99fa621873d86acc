using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.Json;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Driver;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk rules [ID] [--json]</c>: the rule catalog the validator checks, compiled into the binary
/// from spec/rules.yaml (never read from a checkout: an installed xsk has none).
/// </summary>
public static class RulesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var id = new Argument<string?>("id") { Description = "One rule, e.g. XE-HDR-VERSION (case does not matter); without it, every rule", Arity = ArgumentArity.ZeroOrOne, HelpName = "id" };
        id.CompletionSources.Add(_ => Rules.All.Select(r => new CompletionItem(r.Id)));
        var json = new Option<bool>("--json") { Description = "Print the rules as JSON" };
        var cmd = new Command("rules", "The rule catalog (spec/rules.yaml, built in): id, severity per profile, the errno per driver version and when user space sees it, the source")
        {
            id, json,
        };
        cmd.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            IReadOnlyList<RuleInfo> rules = Rules.All;
            if (parse.GetValue(id) is { } wanted)
                rules = [Rules.Find(wanted.ToUpperInvariant()) ?? throw new UsageException($"no rule '{wanted}' in the catalog ({Rules.All.Count} rules: xsk rules lists them)")];
            if (parse.GetValue(json))
                JsonOut.Document(ctx.StdOut, Json(rules), CliJsonContext.Default.RulesJson);
            else if (parse.GetValue(id) is null)
                WriteTable(ctx.Out, rules);
            else
                WriteOne(ctx.Out, rules[0]);
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static readonly Profile[] Profiles = Enum.GetValues<Profile>();
    private static readonly DriverVersion[] Drivers = Enum.GetValues<DriverVersion>();

    private static string Name(Severity s) => s.ToString().ToLowerInvariant();

    private static string SeverityIn(RuleInfo r, Profile p) => r.AppliesTo(p) ? Name(r.SeverityIn(p)) : "-";

    /// <summary>The errno, once when every driver version agrees, else per version.</summary>
    private static string ErrnoColumn(RuleInfo r)
    {
        if (!r.IsDriverRule) return "-";
        var names = Drivers.Select(d => ErrnoOrDash(r.ErrnoFor(d))).ToArray();
        return names.Distinct().Count() == 1 ? names[0] : string.Join(", ", Drivers.Select((d, i) => $"{CatalogIds.Of(d)} {names[i]}"));
    }

    private static string ErrnoOrDash(Errno e) => e == Errno.None ? "-" : ErrnoText.Name(e);

    private static void WriteTable(TextWriter w, IReadOnlyList<RuleInfo> rules)
    {
        w.WriteLine($"{"rule",-22} {string.Join(" ", Profiles.Select(p => $"{CatalogIds.Of(p),-8}"))} {"errno",-22} {"when",-7} statement");
        foreach (var r in rules)
            w.WriteLine($"{r.Id,-22} {string.Join(" ", Profiles.Select(p => $"{SeverityIn(r, p),-8}"))} {ErrnoColumn(r),-22} {JsonOut.ReportedAt(r.Reported) ?? "-",-7} {r.Statement}");
        w.WriteLine($"{rules.Count} rules ({rules.Count(r => r.IsDriverRule)} enforced by the driver on restore); xsk rules <id> for the source and notes");
    }

    private static void WriteOne(TextWriter w, RuleInfo r)
    {
        w.WriteLine($"{r.Id}: {r.Statement}");
        w.WriteLine("severity: " + string.Join(", ", Profiles.Select(p => $"{CatalogIds.Of(p)} {SeverityIn(r, p)}")));
        w.WriteLine(r.IsDriverRule
            ? $"driver: rejects it with {ErrnoColumn(r)}, reported {Reported(r.Reported)}" + (r.Cause != Errno.None ? $"; the GT worker hits {ErrnoText.Name(r.Cause)}" : "")
            : "driver: does not reject it (a check of what a save looks like)");
        if (r.NeedsTarget) w.WriteLine("target: compares the stream with the restore target's device");
        w.WriteLine("source: " + r.Reference);
        if (r.Note is { } note) w.WriteLine("note: " + note);
    }

    private static string Reported(ReportedAt at) => at switch
    {
        ReportedAt.Write => "by the write() that completes the header or packet",
        ReportedAt.Finish => "when leaving RESUMING",
        ReportedAt.Setup => "when entering RESUMING",
        _ => "-",
    };

    private static RulesJson Json(IReadOnlyList<RuleInfo> rules) => new(rules.Select(r => new RuleJson(r.Id, r.Statement,
        Profiles.ToDictionary(p => CatalogIds.Of(p), p => r.AppliesTo(p) ? Name(r.SeverityIn(p)) : null),
        Drivers.ToDictionary(d => CatalogIds.Of(d), d => r.ErrnoFor(d) is var e && e != Errno.None ? ErrnoText.Name(e) : null),
        r.Cause != Errno.None ? ErrnoText.Name(r.Cause) : null, JsonOut.ReportedAt(r.Reported), r.NeedsTarget, r.Reference, r.Note)).ToList());
}
