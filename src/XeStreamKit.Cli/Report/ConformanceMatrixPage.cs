using System.Text;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Driver;
using XeStreamKit.Validation;
using static XeStreamKit.Cli.Report.Html;

namespace XeStreamKit.Cli.Report;

/// <summary>
/// <c>xsk conformance run --html</c>: the result matrix as one self-contained page, vectors down,
/// implementations across (the shape of JSONTestSuite's published tables). Each cell is coloured
/// by what happened - accepted or rejected as expected, accepted or rejected against the
/// expectation, an implementation-defined vector, a crash - and says it in words; hovering gives
/// the expectation, the outcome and why the manifest expects it.
/// </summary>
internal static class ConformanceMatrixPage
{
    private sealed record CellKind(string Class, string Colour, string Text, string Meaning);

    private static readonly CellKind AcceptedOk = new("c-acc", "#2e7d32", "#fff", "accepted, as expected");
    private static readonly CellKind RejectedOk = new("c-rej", "#81c784", "#000", "rejected with the expected errno, when expected");
    private static readonly CellKind AcceptedBad = new("c-acc-bad", "#c62828", "#fff", "accepted, but the driver rejects it");
    private static readonly CellKind RejectedBad = new("c-rej-bad", "#ef6c00", "#000", "rejected, but not as the driver does (accepted, another errno or another moment)");
    private static readonly CellKind InfoSame = new("c-info", "#90caf9", "#000", "implementation-defined: behaves as modelled");
    private static readonly CellKind InfoOther = new("c-info-other", "#ce93d8", "#000", "implementation-defined: behaves otherwise than modelled");
    private static readonly CellKind Crashed = new("c-crash", "#212121", "#fff", "the implementation failed (exception, no answer)");
    private static readonly CellKind Skipped = new("c-skip", "#e0e0e0", "#000", "not run: the driver would crash or hang on it (--allow-hazards runs it)");

    private static readonly CellKind[] Kinds = [AcceptedOk, RejectedOk, AcceptedBad, RejectedBad, InfoSame, InfoOther, Crashed, Skipped];

    public static string Render(IReadOnlyList<List<VectorResult>> results, DriverVersion driver, string split, string commandLine, string version)
    {
        var h = new StringBuilder(64 * 1024);
        var css = new StringBuilder(".matrix td.cell{font-size:12px;white-space:nowrap;border:1px solid #fff}.matrix td.name{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:12px}");
        foreach (var k in Kinds) css.Append($".matrix td.{k.Class}{{background:{k.Colour};color:{k.Text}}}");
        Begin(h, "xsk conformance results", css.ToString());
        h.Append("<h1>Conformance results</h1>");
        h.Append($"<p>{results[0].Count} vectors x {results.Count} implementation{(results.Count == 1 ? "" : "s")}; expectations for driver <b>{Esc(CatalogIds.Of(driver))}</b>; vectors written in write() calls of {Esc(split)}.</p>");
        h.Append("<table class=\"summary\"><tr><th>implementation</th><th class=\"num\">passed</th><th class=\"num\">failed</th><th class=\"num\">skipped (hazards)</th><th class=\"num\">i_ as modelled</th></tr>");
        foreach (var list in results)
        {
            var judged = list.Where(r => !r.Informational && !r.Skipped).ToList();
            var info = list.Where(r => r.Informational && !r.Skipped).ToList();
            var skipped = list.Count(r => r.Skipped);
            h.Append($"<tr class=\"{(judged.All(r => r.Passed) ? "" : "flag-error")}\"><td><code>{Esc(list[0].Impl)}</code></td><td class=\"num\">{judged.Count(r => r.Passed)}</td><td class=\"num\">{judged.Count(r => !r.Passed)}</td><td class=\"num\">{skipped}</td><td class=\"num\">{info.Count(r => r.Passed)} of {info.Count}</td></tr>");
        }
        h.Append("</table>");
        h.Append("<p class=\"legend small\">");
        foreach (var k in Kinds) h.Append($"<span><i class=\"sw\" style=\"background:{k.Colour}\"></i>{Esc(k.Meaning)}</span> ");
        h.Append("</p><p class=\"small mute\">Vectors: <code>y_</code> the driver accepts, <code>n_</code> it rejects, <code>i_</code> implementation-defined (differs between driver versions or left open). Hover a cell for the expectation, the outcome and the reason.</p>");
        h.Append("<table class=\"matrix\"><tr><th>vector</th><th>expected</th>");
        foreach (var list in results) h.Append($"<th><code>{Esc(list[0].Impl)}</code></th>");
        h.Append("</tr>");
        for (var i = 0; i < results[0].Count; i++)
        {
            var first = results[0][i];
            h.Append($"<tr id=\"{Esc(first.Entry.Name)}\"><td class=\"name\" title=\"{Esc(first.Entry.Why)}\">{Esc(first.Entry.Name)}</td><td class=\"small\">{Esc(first.Expected.ToString())}</td>");
            foreach (var list in results)
            {
                var r = list[i];
                var k = Kind(r);
                var title = $"{k.Meaning}. Expected: {r.Expected}. Got: {(r.Actual?.ToString() ?? "no answer")}. {r.Detail}. Why: {r.Entry.Why}";
                h.Append($"<td class=\"cell {k.Class}\" title=\"{Esc(title)}\">{Esc(Short(r))}</td>");
            }
            h.Append("</tr>");
        }
        h.Append("</table>");
        h.Append("<footer class=\"small mute\"><p>Written by xsk ").Append(Esc(version)).Append(" with <code>").Append(Esc(commandLine)).Append("</code>.</p></footer>");
        End(h);
        return h.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<List<VectorResult>> results, DriverVersion driver, string split, System.CommandLine.ParseResult parse)
    {
        var page = Render(results, driver, split, ReportCommandLine.Of(parse), ReportCommandLine.ToolVersion);
        using var file = OutputFile.Open(path, "--html", durable: false);
        file.Stream.Write(Encoding.UTF8.GetBytes(page));
        file.Commit();
    }

    private static CellKind Kind(VectorResult r)
    {
        if (r.Skipped) return Skipped;
        if (r.Actual is null) return Crashed;
        if (r.Informational) return r.Passed ? InfoSame : InfoOther;
        if (r.Passed) return r.Actual.Accepted ? AcceptedOk : RejectedOk;
        return r.Actual.Accepted ? AcceptedBad : RejectedBad;
    }

    /// <summary>The cell's words: what the implementation did, briefly (moments by their name, so new ones show).</summary>
    private static string Short(VectorResult r)
    {
        if (r.Skipped) return "skipped";
        if (r.Actual is not { } a) return "crashed";
        if (a.Accepted) return "accepted";
        var when = a.At switch
        {
            ReportedAt.Write => a.PacketIndex is { } p ? $"write #{p}" : "write",
            ReportedAt.Finish => "finish",
            ReportedAt.Setup => "setup",
            ReportedAt.None => "",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{(a.Errno == Errno.None ? "rejected" : ErrnoText.Name(a.Errno))} {when}".Trim();
    }
}
