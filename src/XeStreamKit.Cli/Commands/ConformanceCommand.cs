using System.CommandLine;
using System.Text.Json;
using System.Xml.Linq;
using XeStreamKit.Cli.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Commands;

/// <summary><c>xsk conformance run|fuzz|throughput</c>: run the corpus against an implementation, fuzz ours, or measure a device's VRAM chunk throughput.</summary>
public static class ConformanceCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx) => new("conformance", "Run the conformance corpus against an implementation; fuzz ours; measure VRAM chunk throughput")
    {
        Run(ctx),
        FuzzCommand.Create(ctx),
        ThroughputCommand.Create(ctx),
    };

    private static Command Run(CliContext ctx)
    {
        var impls = new Option<string[]>("--impl") { Description = Implementations.Help, Required = true, Arity = ArgumentArity.OneOrMore };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus directory (default: the generated corpus, in memory)" };
        var driver = CommonOptions.Driver("Driver version the expectations are for (6.19 or newest)");
        var split = new Option<string>("--split") { Description = "How vectors are cut into write() calls: a size (1, 7, 4KiB, 1MiB) or random[:seed]", DefaultValueFactory = _ => "1MiB" };
        var matrix = new Option<bool>("--matrix") { Description = "Several --impl as one table, vector by implementation" };
        var json = new Option<bool>("--json") { Description = "Print results as JSON" };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML to this file" };
        var html = new Option<string?>("--html") { Description = "Also write the result matrix (vectors x implementations) as a self-contained HTML page" };
        var filter = new Option<string?>("--filter") { Description = "Only vectors whose name contains this" };
        var timeout = new Option<double>("--timeout") { Description = "exec: seconds a command may take on one vector (more is an error, not a verdict)", DefaultValueFactory = _ => ExecImpl.DefaultTimeout.TotalSeconds };
        var allowHazards = new Option<bool>("--allow-hazards") { Description = "Also run vectors that crash or hang the driver against debugfs/vfio/exec implementations (skipped otherwise)" };
        var command = new Command("run", "Restore every vector with an implementation and compare with the manifest's expectation")
        {
            impls, corpus, driver, split, matrix, json, junit, filter, html, timeout, allowHazards,
        };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            CatalogIds.TryParse(parse.GetValue(driver)!, out DriverVersion d);
            var writeSplit = WriteSplit.Parse(parse.GetValue(split)!);
            var vectors = CorpusSource.Load(parse.GetValue(corpus));
            if (parse.GetValue(filter) is { } f) vectors = vectors.Where(v => v.Entry.Name.Contains(f, StringComparison.Ordinal)).ToList();
            if (vectors.Count == 0) throw new UsageException($"--filter {parse.GetValue(filter)}: no vector's name contains it");
            var names = parse.GetValue(impls)!;
            if (names.Length > 1 && !parse.GetValue(matrix)) throw new UsageException("several --impl need --matrix");
            var results = new List<List<VectorResult>>();
            foreach (var name in names)
            {
                using var impl = Implementations.Open(name, writeSplit, Seconds(parse.GetValue(timeout), "--timeout"));
                var list = new List<VectorResult>();
                using var meter = new ProgressMeter(ctx.Error, ctx.Terminal, $"conformance {name}", vectors.Count);
                foreach (var r in ConformanceRunner.Run(vectors, impl, d, parse.GetValue(allowHazards)))
                {
                    list.Add(r);
                    meter.Report(list.Count);
                    if (!parse.GetValue(json) && !parse.GetValue(matrix)) ctx.Out.WriteLine(Line(r));
                }
                results.Add(list);
            }
            if (parse.GetValue(junit) is { } path) WriteJunit(path, results, d, writeSplit);
            if (parse.GetValue(html) is { } page) Report.ConformanceMatrixPage.Write(page, results, d, writeSplit.ToString(), parse);
            if (parse.GetValue(json)) WriteJson(ctx.StdOut, results, d, writeSplit);
            else if (parse.GetValue(matrix)) WriteMatrix(ctx.Out, results);
            if (!parse.GetValue(json))
                foreach (var list in results) ctx.Out.WriteLine(Summary(list, d, writeSplit));
            return results.All(l => l.All(r => r.Passed)) ? ExitCode.Ok : ExitCode.InvalidStream;
        }));
        return command;
    }

    /// <summary>A positive number of seconds up to a day, as a <see cref="TimeSpan"/>.</summary>
    private static TimeSpan Seconds(double value, string option) =>
        value is > 0 and <= 86400 ? TimeSpan.FromSeconds(value) : throw new UsageException($"{option}: a number of seconds from 0 to 86400");

    // i_ vectors document behaviour and are not judged: INFO, never PASS or FAIL.
    private static string Line(VectorResult r) =>
        $"{(r.Skipped ? "SKIP" : r.Informational ? "INFO" : r.Passed ? "PASS" : "FAIL")} {r.Entry.Name,-34} {r.Detail}{(r.Informational && !r.Skipped ? $" (not judged; {(r.Passed ? "as modelled" : "differs from the model")})" : "")}";

    /// <summary>"impl: N passed, M failed (i_: k of j as expected), driver, split".</summary>
    public static string Summary(IReadOnlyList<VectorResult> list, DriverVersion driver, WriteSplit split)
    {
        var judged = list.Where(r => !r.Informational && !r.Skipped).ToList();
        var info = list.Where(r => r.Informational).ToList();
        var skipped = list.Count(r => r.Skipped);
        var modelled = info.Count == 0 ? "" : $"; i_ vectors {info.Count(r => r.Passed)} of {info.Count} as modelled";
        var hazards = skipped == 0 ? "" : $", {skipped} driver hazards skipped";
        return $"{list[0].Impl}: {judged.Count(r => r.Passed)} passed, {judged.Count(r => !r.Passed)} failed{hazards}{modelled} (driver {CatalogIds.Of(driver)}, writes of {split})";
    }

    private static void WriteMatrix(TextWriter w, List<List<VectorResult>> results)
    {
        var width = results[0].Max(r => r.Entry.Name.Length) + 2;
        var columns = results.Select(l => Math.Max(l[0].Impl.Length, 12) + 2).ToArray();
        w.WriteLine("vector".PadRight(width) + string.Concat(results.Select((l, j) => l[0].Impl.PadRight(columns[j]))).TrimEnd());
        for (var i = 0; i < results[0].Count; i++)
            w.WriteLine(results[0][i].Entry.Name.PadRight(width) + string.Concat(results.Select((l, j) => Cell(l[i]).PadRight(columns[j]))).TrimEnd());
    }

    private static string Cell(VectorResult r) =>
        r.Skipped ? "skip hazard" : (r.Passed ? "ok " : "FAIL ") + (r.Actual is null ? "error" : r.Actual.Accepted ? "accepted"
            : r.Actual.Hazard != DriverHazard.None ? Driver.HazardText.Outcome(r.Actual.Hazard) : Catalog.ErrnoText.Name(r.Actual.Errno));

    private static void WriteJson(Stream stdout, List<List<VectorResult>> results, DriverVersion driver, WriteSplit split)
    {
        using var w = JsonOut.Writer(stdout);
        w.WriteStartObject();
        w.WriteString("driver", CatalogIds.Of(driver));
        w.WriteString("split", split.ToString());
        w.WriteStartArray("implementations");
        foreach (var list in results)
        {
            w.WriteStartObject();
            w.WriteString("impl", list[0].Impl);
            w.WriteNumber("passed", list.Count(r => r.Passed && !r.Informational));
            w.WriteNumber("failed", list.Count(r => !r.Passed && !r.Informational));
            w.WriteStartArray("vectors");
            foreach (var r in list) JsonOut.Row(w, VectorResultJson.Of(r), CliJsonContext.Default.VectorResultJson);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        JsonOut.End(w, stdout);
    }

    private static void WriteJunit(string path, List<List<VectorResult>> results, DriverVersion driver, WriteSplit split)
    {
        var suites = new XElement("testsuites",
            results.Select(list => new XElement("testsuite",
                new XAttribute("name", $"xsk conformance {list[0].Impl} (driver {CatalogIds.Of(driver)}, writes of {split})"),
                new XAttribute("tests", list.Count),
                new XAttribute("failures", list.Count(r => !r.Passed && !r.Informational)),
                new XAttribute("time", list.Sum(r => r.Elapsed.TotalSeconds).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)),
                list.Select(r => new XElement("testcase",
                    new XAttribute("classname", $"{list[0].Impl}.{r.Entry.Name[..1]}"),
                    new XAttribute("name", r.Entry.Name),
                    new XAttribute("time", r.Elapsed.TotalSeconds.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)),
                    r.Passed ? null : r.Informational
                        ? new XElement("system-out", $"implementation-defined: {r.Detail}")
                        : new XElement("failure", new XAttribute("message", r.Detail), r.Entry.Why))))));
        using var file = OutputFile.Open(path, "--junit", durable: false);
        new XDocument(suites).Save(file.Stream);
        file.Commit();
    }
}
