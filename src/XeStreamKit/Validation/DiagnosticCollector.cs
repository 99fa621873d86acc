using XeStreamKit.Catalog;
using XeStreamKit.Driver;

namespace XeStreamKit.Validation;

/// <summary>
/// Keeps the violations that belong to a profile as diagnostics, in stream order, at most
/// <see cref="MaxPerRule"/> per rule (the rest are counted), so memory stays bounded whatever
/// the stream.
/// </summary>
internal sealed class DiagnosticCollector(Profile profile, int maxPerRule = DiagnosticCollector.DefaultMaxPerRule) : IRestoreObserver
{
    /// <summary>Diagnostics kept per rule by default.</summary>
    public const int DefaultMaxPerRule = 100;

    private readonly List<Diagnostic> _diagnostics = [];
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Most diagnostics kept per rule.</summary>
    public int MaxPerRule => maxPerRule;

    /// <summary>The diagnostics kept.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    /// <summary>Occurrences per rule id, kept or not.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Errors in all (kept or not).</summary>
    public long Errors { get; private set; }

    /// <summary>Warnings in all (kept or not).</summary>
    public long Warnings { get; private set; }

    /// <inheritdoc/>
    public void OnViolation(RuleViolation v)
    {
        if (!v.Rule.AppliesTo(profile)) return;
        var severity = v.Rule.SeverityIn(profile);
        if (severity >= Severity.Error) Errors++;
        else if (severity == Severity.Warning) Warnings++;
        _counts.TryGetValue(v.Rule.Id, out var n);
        _counts[v.Rule.Id] = ++n;
        if (n > maxPerRule) return;
        _diagnostics.Add(new Diagnostic(v.Rule, severity, v.StreamOffset, v.PacketIndex, v.Message)
        {
            Errno = v.Errno,
            ReportedAt = v.At,
            KernelFunction = v.KernelFunction,
        });
    }
}
