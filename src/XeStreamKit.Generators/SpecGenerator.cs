using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using XeStreamKit.Generators.Catalogs;
using XeStreamKit.Generators.Ksy;

namespace XeStreamKit.Generators;

/// <summary>
/// Turns the spec files passed as AdditionalFiles into C#: <c>*.ksy</c> (wire format),
/// <c>rules.yaml</c> (rule catalog) and <c>devices.yaml</c> (device catalog). Any
/// problem is an error diagnostic (XSK0xx) at the offending YAML node and no code is emitted
/// for that file, so the build fails rather than running on a partial spec.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SpecGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.AdditionalTextsProvider
            .Where(static t => KindOf(t.Path) is not null)
            .Select(static (t, ct) => Compile(t.Path, t.GetText(ct)?.ToString()));
        context.RegisterSourceOutput(specs, static (spc, result) => Report(spc, result));
    }

    private static string? KindOf(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".ksy", System.StringComparison.OrdinalIgnoreCase)) return "ksy";
        return name is "rules.yaml" or "devices.yaml" ? name : null;
    }

    internal static SpecResult Compile(string path, string? text)
    {
        var report = new SpecReport(path);
        string? source = null;
        if (text is null)
            report.Add(SpecDiagnostics.Syntax, null, path, "the file could not be read");
        else
            source = KindOf(path) switch
            {
                "rules.yaml" => RulesEmitter.Emit(text, report),
                "devices.yaml" => DevicesEmitter.Emit(text, report),
                _ => KsyParser.Parse(text, report) is { } spec && !report.HasErrors ? KsyEmitter.Emit(spec, report) : null,
            };
        return new SpecResult(Path.GetFileNameWithoutExtension(path).Replace('.', '_'), source, report.Items.ToImmutableArray());
    }

    private static void Report(SourceProductionContext spc, SpecResult result)
    {
        foreach (var d in result.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
        if (result.Source is not null && result.Diagnostics.IsEmpty)
            spc.AddSource(result.HintName + ".g.cs", result.Source);
    }
}

/// <summary>What one spec file produced; equatable so unchanged specs are not re-emitted.</summary>
internal sealed class SpecResult : System.IEquatable<SpecResult>
{
    public SpecResult(string hintName, string? source, ImmutableArray<SpecDiagnostic> diagnostics)
    {
        HintName = hintName;
        Source = source;
        Diagnostics = diagnostics;
    }

    public string HintName { get; }
    public string? Source { get; }
    public ImmutableArray<SpecDiagnostic> Diagnostics { get; }

    public bool Equals(SpecResult? other) =>
        other is not null && HintName == other.HintName && Source == other.Source && Diagnostics.SequenceEqual(other.Diagnostics);

    public override bool Equals(object? obj) => Equals(obj as SpecResult);
    public override int GetHashCode() => (HintName + Source).GetHashCode();
}
