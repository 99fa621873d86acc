using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators.Catalogs;

/// <summary>
/// spec/rules.yaml -> XeStreamKit.Catalog: the rule catalog (<c>Rules.All</c>, one property
/// per rule), with profiles, driver versions, severities, errnos and reporting points as enums.
/// </summary>
internal static class RulesEmitter
{
    private const string Hint = " (see the header of spec/rules.yaml)";
    private static readonly Regex RuleId = new("^XE(-[A-Z0-9]+)+$", RegexOptions.CultureInvariant);
    private static readonly string[] Severities = { "info", "warning", "error", "hazard" };
    private static readonly string[] Hazards = { "oops-in-write", "oops-in-worker", "hang" };
    private static readonly string[] Reported = { "write", "finish", "setup" };

    private sealed class Rule
    {
        public string Id = "";
        public string Statement = "";
        public Dictionary<string, string> Severity = new();
        public List<string> Profiles = new();
        public Dictionary<string, string> Errno = new();
        public string? Cause;
        public string? Reported;
        public bool Target;
        public string Ref = "";
        public string? Note;
        public string? Hazard;
    }

    public static string? Emit(string text, SpecReport report)
    {
        var root = SpecYaml.Load(text, report);
        var map = YamlMap.From(root, "", report);
        if (map is null) return null;
        map.RejectUnknownKeys(Hint, "drivers", "profiles", "rules");

        var drivers = IdList(map, "drivers", report);
        var profiles = IdList(map, "profiles", report);
        var rules = new List<Rule>();
        if (map.Get("rules") is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var r = YamlMap.From(seq.Children[i], "rules/" + i, report);
                if (r is not null) rules.Add(ParseRule(r, seq.Children[i], drivers, profiles, report));
            }
        }
        else report.Add(SpecDiagnostics.Missing, root, "(root)", "rules");

        foreach (var dup in rules.GroupBy(r => r.Id).Where(g => g.Count() > 1))
            report.Add(SpecDiagnostics.UnsupportedValue, root, "rules", $"rule id '{dup.Key}' is used {dup.Count()} times");
        if (report.HasErrors) return null;
        return Write(rules, drivers, profiles, report.File);
    }

    /// <summary>A list of {id, doc} entries.</summary>
    internal static List<(string Id, string Doc)> IdList(YamlMap map, string key, SpecReport report)
    {
        var list = new List<(string, string)>();
        if (map.Get(key) is not YamlSequenceNode seq)
        {
            report.Add(SpecDiagnostics.Missing, map.Node, "(root)", key);
            return list;
        }
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var m = YamlMap.From(seq.Children[i], $"{key}/{i}", report);
            if (m is null) continue;
            m.RejectUnknownKeys(Hint, "id", "doc");
            list.Add((m.String("id", required: true) ?? "", m.String("doc") ?? ""));
        }
        return list;
    }

    private static Rule ParseRule(YamlMap r, YamlNode node, List<(string Id, string Doc)> drivers, List<(string Id, string Doc)> profiles, SpecReport report)
    {
        r.RejectUnknownKeys(Hint, "id", "statement", "severity", "profiles", "errno", "cause", "reported", "target", "ref", "note", "hazard");
        var rule = new Rule
        {
            Id = r.String("id", required: true) ?? "",
            Statement = r.String("statement", required: true) ?? "",
            Cause = r.String("cause"),
            Reported = r.String("reported"),
            Ref = r.String("ref", required: true) ?? "",
            Note = r.String("note"),
            Target = r.String("target") == "true",
            Hazard = r.String("hazard"),
        };
        var path = r.Path + (rule.Id.Length > 0 ? $" ({rule.Id})" : "");
        if (rule.Id.Length > 0 && !RuleId.IsMatch(rule.Id))
            report.Add(SpecDiagnostics.UnsupportedValue, r.Get("id"), path, $"rule id '{rule.Id}' must look like XE-AREA-NAME");
        if (r.String("target") is { } t && t is not ("true" or "false"))
            report.Add(SpecDiagnostics.UnsupportedValue, r.Get("target"), path + "/target", "target is true or false");

        rule.Profiles.AddRange(r.Strings("profiles"));
        if (rule.Profiles.Count == 0) report.Add(SpecDiagnostics.Missing, node, path, "profiles");
        foreach (var p in rule.Profiles.Where(p => profiles.All(x => x.Id != p)))
            report.Add(SpecDiagnostics.BadReference, r.Get("profiles"), path + "/profiles", $"profile '{p}' is not defined in profiles");

        switch (r.Get("severity"))
        {
            case YamlScalarNode s:
                foreach (var p in rule.Profiles) rule.Severity[p] = s.Value ?? "";
                break;
            case YamlMappingNode m:
                foreach (var kv in m.Children)
                    rule.Severity[YamlMap.KeyText(kv.Key)] = (kv.Value as YamlScalarNode)?.Value ?? "";
                break;
            default:
                report.Add(SpecDiagnostics.Missing, node, path, "severity");
                break;
        }
        foreach (var kv in rule.Severity)
        {
            if (!Severities.Contains(kv.Value))
                report.Add(SpecDiagnostics.UnsupportedValue, r.Get("severity"), path + "/severity", $"severity '{kv.Value}' is not one of info, warning, error");
            if (!rule.Profiles.Contains(kv.Key))
                report.Add(SpecDiagnostics.BadReference, r.Get("severity"), path + "/severity", $"severity given for profile '{kv.Key}' the rule is not in");
        }
        foreach (var p in rule.Profiles.Where(p => !rule.Severity.ContainsKey(p)))
            report.Add(SpecDiagnostics.Missing, r.Get("severity"), path + "/severity", p);

        switch (r.Get("errno"))
        {
            case null:
                break;
            case YamlScalarNode s:
                foreach (var d in drivers) rule.Errno[d.Id] = s.Value ?? "";
                break;
            case YamlMappingNode m:
                foreach (var kv in m.Children)
                {
                    var driver = YamlMap.KeyText(kv.Key);
                    if (drivers.All(d => d.Id != driver))
                        report.Add(SpecDiagnostics.BadReference, kv.Key, path + "/errno", $"driver '{driver}' is not defined in drivers");
                    rule.Errno[driver] = (kv.Value as YamlScalarNode)?.Value ?? "";
                }
                foreach (var d in drivers.Where(d => !rule.Errno.ContainsKey(d.Id)))
                    report.Add(SpecDiagnostics.Missing, r.Get("errno"), path + "/errno", d.Id);
                break;
        }
        foreach (var e in rule.Errno.Values.Append(rule.Cause).Where(e => e is not null))
            if (!Regex.IsMatch(e!, "^E[A-Z0-9]+$"))
                report.Add(SpecDiagnostics.UnsupportedValue, node, path, $"'{e}' is not an errno name");

        if (rule.Reported is not null && !Reported.Contains(rule.Reported))
            report.Add(SpecDiagnostics.UnsupportedValue, r.Get("reported"), path + "/reported", $"reported '{rule.Reported}' is not one of write, finish, setup");
        if (rule.Hazard is not null)
        {
            if (!Hazards.Contains(rule.Hazard))
                report.Add(SpecDiagnostics.UnsupportedValue, r.Get("hazard"), path + "/hazard", $"hazard '{rule.Hazard}' is not one of oops-in-write, oops-in-worker, hang");
            if (rule.Reported is null || rule.Severity.Values.Any(v => v != "hazard"))
                report.Add(SpecDiagnostics.UnsupportedValue, node, path, "a hazard rule has severity hazard and says where it strikes (reported); errno is what user space sees, if anything");
        }
        else if ((rule.Errno.Count > 0) != (rule.Reported is not null))
            report.Add(SpecDiagnostics.UnsupportedValue, node, path, "a driver rule has both errno and reported; other rules have neither");
        else if (rule.Severity.Values.Contains("hazard"))
            report.Add(SpecDiagnostics.UnsupportedValue, r.Get("severity"), path + "/severity", "severity hazard needs a hazard");
        if (rule.Cause is not null && rule.Reported != "finish")
            report.Add(SpecDiagnostics.UnsupportedValue, r.Get("cause"), path + "/cause", "cause is only for rules reported at finish");
        return rule;
    }

    private static string Pascal(string id) =>
        string.Concat(id.Split('-', '.', '_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1).ToLowerInvariant()));

    private static string DriverMember(string id) => char.IsDigit(id[0]) ? "V" + id.Replace('.', '_') : Pascal(id);

    private static string Write(List<Rule> rules, List<(string Id, string Doc)> drivers, List<(string Id, string Doc)> profiles, string file)
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated>")
         .Line($"// Generated by XeStreamKit.Generators from {Path.GetFileName(file)}. Do not edit: edit the catalog.")
         .Line("// </auto-generated>")
         .Line("#nullable enable")
         .Line("using System;")
         .Line("using System.Collections.Generic;")
         .Line()
         .Line("namespace XeStreamKit.Catalog;")
         .Line();

        w.Line("/// <summary>How bad a diagnostic is. Only errors make a stream fail a profile.</summary>");
        w.Open("public enum Severity");
        w.Line("/// <summary>For information.</summary>").Line("Info,");
        w.Line("/// <summary>Worth knowing; the stream still passes.</summary>").Line("Warning,");
        w.Line("/// <summary>The stream fails the profile.</summary>").Line("Error,");
        w.Line("/// <summary>The stream fails the profile, and the driver crashes or hangs on it (an error that is a driver hazard).</summary>").Line("Hazard,");
        w.Close().Line();

        w.Line("/// <summary>What the driver does beyond returning an errno (spec/rules.yaml <c>hazard</c>).</summary>");
        w.Open("public enum DriverHazard");
        w.Line("/// <summary>No hazard: the driver accepts or returns an errno.</summary>").Line("None,");
        w.Line("/// <summary>A kernel oops inside the write() call (the writing task is killed).</summary>").Line("OopsInWrite,");
        w.Line("/// <summary>A kernel oops in the GT's restore worker, after the write() returned.</summary>").Line("OopsInWorker,");
        w.Line("/// <summary>A write() that never returns.</summary>").Line("Hang,");
        w.Close().Line();

        w.Line("/// <summary>Rule profiles (spec/rules.yaml <c>profiles</c>).</summary>");
        w.Open("public enum Profile");
        foreach (var p in profiles) w.Doc(new[] { p.Doc }).Line(Pascal(p.Id) + ",");
        w.Close().Line();

        w.Line("/// <summary>Driver versions whose behaviour differs (spec/rules.yaml <c>drivers</c>).</summary>");
        w.Open("public enum DriverVersion");
        foreach (var d in drivers) w.Doc(new[] { d.Doc }).Line(DriverMember(d.Id) + ",");
        w.Close().Line();

        w.Line("/// <summary>When user space sees a driver rule's error.</summary>");
        w.Open("public enum ReportedAt");
        w.Line("/// <summary>Not a driver rule.</summary>").Line("None,");
        w.Line("/// <summary>The write() that completes the header or packet fails.</summary>").Line("Write,");
        w.Line("/// <summary>Leaving RESUMING (RESUMING -> STOP, or reading debugfs <c>restore</c>) fails.</summary>").Line("Finish,");
        w.Line("/// <summary>The device refuses to enter RESUMING.</summary>").Line("Setup,");
        w.Close().Line();

        w.Line("/// <summary>Ids of profiles and driver versions as spec/rules.yaml writes them.</summary>");
        w.Open("public static partial class CatalogIds");
        w.Line("/// <summary>The id of a profile (<c>kernel</c>, <c>strict</c>).</summary>");
        w.Open("public static string Of(Profile profile) => profile switch");
        foreach (var p in profiles) w.Line($"Profile.{Pascal(p.Id)} => {SourceWriter.Literal(p.Id)},");
        w.Line("_ => throw new ArgumentOutOfRangeException(nameof(profile)),");
        w.Close(";");
        w.Line("/// <summary>The id of a driver version (<c>6.19</c>, <c>newest</c>).</summary>");
        w.Open("public static string Of(DriverVersion driver) => driver switch");
        foreach (var d in drivers) w.Line($"DriverVersion.{DriverMember(d.Id)} => {SourceWriter.Literal(d.Id)},");
        w.Line("_ => throw new ArgumentOutOfRangeException(nameof(driver)),");
        w.Close(";");
        w.Line("/// <summary>Looks a profile up by id.</summary>");
        w.Open("public static bool TryParse(string id, out Profile profile)");
        w.Open("switch (id)");
        foreach (var p in profiles) w.Line($"case {SourceWriter.Literal(p.Id)}: profile = Profile.{Pascal(p.Id)}; return true;");
        w.Line("default: profile = default; return false;");
        w.Close().Close();
        w.Line("/// <summary>Looks a driver version up by id.</summary>");
        w.Open("public static bool TryParse(string id, out DriverVersion driver)");
        w.Open("switch (id)");
        foreach (var d in drivers) w.Line($"case {SourceWriter.Literal(d.Id)}: driver = DriverVersion.{DriverMember(d.Id)}; return true;");
        w.Line("default: driver = default; return false;");
        w.Close().Close();
        w.Close().Line();

        w.Line("/// <summary>One rule of spec/rules.yaml.</summary>");
        w.Open("public sealed partial class RuleInfo");
        w.Line("private readonly Severity?[] _severity;");
        w.Line("private readonly Errno[] _errno;");
        w.Line();
        w.Line("internal RuleInfo(string id, string statement, Severity?[] severity, Errno[] errno, Errno cause, ReportedAt reported, bool needsTarget, string reference, string? note, DriverHazard hazard = DriverHazard.None)");
        w.Open("");
        w.Line("Id = id; Statement = statement; _severity = severity; _errno = errno; Cause = cause; Reported = reported; NeedsTarget = needsTarget; Reference = reference; Note = note; Hazard = hazard;");
        w.Close();
        w.Line("/// <summary>What the driver does beyond an errno: a kernel oops or a hang; <see cref=\"DriverHazard.None\"/> for other rules.</summary>").Line("public DriverHazard Hazard { get; }");
        w.Line("/// <summary>Stable id, e.g. <c>XE-HDR-VERSION</c>.</summary>").Line("public string Id { get; }");
        w.Line("/// <summary>What a conforming stream does.</summary>").Line("public string Statement { get; }");
        w.Line("/// <summary>For deferred rules, the error the GT worker hits; otherwise <see cref=\"Errno.None\"/>.</summary>").Line("public Errno Cause { get; }");
        w.Line("/// <summary>When user space sees the error; <see cref=\"ReportedAt.None\"/> for rules the driver does not enforce.</summary>").Line("public ReportedAt Reported { get; }");
        w.Line("/// <summary>True when the rule compares the stream with the restore target.</summary>").Line("public bool NeedsTarget { get; }");
        w.Line("/// <summary>Where the behaviour comes from.</summary>").Line("public string Reference { get; }");
        w.Line("/// <summary>Caveats, if any.</summary>").Line("public string? Note { get; }");
        w.Line("/// <summary>True when the driver rejects streams that break the rule.</summary>").Line("public bool IsDriverRule => Reported != ReportedAt.None;");
        w.Line("/// <summary>True when the rule belongs to <paramref name=\"profile\"/>.</summary>").Line("public bool AppliesTo(Profile profile) => _severity[(int)profile] is not null;");
        w.Line("/// <summary>The rule's severity in <paramref name=\"profile\"/>.</summary>");
        w.Line("public Severity SeverityIn(Profile profile) => _severity[(int)profile] ?? throw new InvalidOperationException($\"{Id} is not in profile {CatalogIds.Of(profile)}.\");");
        w.Line("/// <summary>The errno user space sees with <paramref name=\"driver\"/>; <see cref=\"Errno.None\"/> for non-driver rules.</summary>");
        w.Line("public Errno ErrnoFor(DriverVersion driver) => _errno.Length == 0 ? Errno.None : _errno[(int)driver];");
        w.Line("/// <inheritdoc/>").Line("public override string ToString() => Id;");
        w.Close().Line();

        w.Line("/// <summary>The rule catalog, in spec order.</summary>");
        w.Open("public static partial class Rules");
        foreach (var r in rules)
        {
            var sev = string.Join(", ", profiles.Select(p => r.Severity.TryGetValue(p.Id, out var s) ? "Severity." + Pascal(s) : "null"));
            var errno = r.Errno.Count == 0 ? (r.Hazard is null ? "Array.Empty<Errno>()" : "new[] { " + string.Join(", ", drivers.Select(_ => "Errno.None")) + " }") : "new[] { " + string.Join(", ", drivers.Select(d => "Errno." + r.Errno[d.Id])) + " }";
            var reported = r.Reported is null ? "ReportedAt.None" : "ReportedAt." + Pascal(r.Reported);
            w.Doc(new[] { $"{r.Id}: {r.Statement}" });
            w.Line($"public static RuleInfo {Pascal(r.Id)} {{ get; }} = new({SourceWriter.Literal(r.Id)}, {SourceWriter.Literal(r.Statement)}, new Severity?[] {{ {sev} }}, {errno}, {(r.Cause is null ? "Errno.None" : "Errno." + r.Cause)}, {reported}, {(r.Target ? "true" : "false")}, {SourceWriter.Literal(r.Ref)}, {(r.Note is null ? "null" : SourceWriter.Literal(r.Note))}{(r.Hazard is null ? "" : ", DriverHazard." + Pascal(r.Hazard))});");
        }
        w.Line();
        w.Line("/// <summary>Every rule, in spec order.</summary>");
        w.Line($"public static IReadOnlyList<RuleInfo> All {{ get; }} = new[] {{ {string.Join(", ", rules.Select(r => Pascal(r.Id)))} }};");
        w.Line();
        w.Line("/// <summary>The rule with id <paramref name=\"id\"/>, or null.</summary>");
        w.Open("public static RuleInfo? Find(string id) => id switch");
        foreach (var r in rules) w.Line($"{SourceWriter.Literal(r.Id)} => {Pascal(r.Id)},");
        w.Line("_ => null,");
        w.Close(";");
        w.Close();
        return w.ToString();
    }
}
