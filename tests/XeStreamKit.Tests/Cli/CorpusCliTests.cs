using System.Text.Json;
using System.Xml.Linq;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

public class CorpusCliTests
{
    private static byte[] Vector(string name) => File.ReadAllBytes(Path.Combine(RepoPaths.Corpus, name + ".bin"));

    [Fact]
    public void Generate_writes_the_corpus_and_says_what()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-gen-").FullName;
        try
        {
            var r = CliHarness.Run(null, "corpus", "generate", dir, "--json");
            r.ExitCode.ShouldBe(0, r.StdErr);
            using var doc = JsonDocument.Parse(r.StdOut);
            doc.RootElement.GetProperty("vectors").GetInt32().ShouldBe(Directory.GetFiles(dir, "*.bin").Length + 2); // two made on the fly: 512 MiB chunks, a GuC blob over the 8 MiB cache
            doc.RootElement.GetProperty("n").GetInt32().ShouldBeGreaterThan(40);
            File.Exists(Path.Combine(dir, "manifest.json")).ShouldBeTrue();
            var ptl = CliHarness.Run(null, "corpus", "generate", Path.Combine(dir, "ptl"), "--target", "ptl,ggtt=16KiB");
            ptl.ExitCode.ShouldBe(0, ptl.StdErr);
            File.Exists(Path.Combine(dir, "ptl", "n_vram_without_lmem.bin")).ShouldBeTrue();
            File.Exists(Path.Combine(dir, "ptl", "n_target_old_guc.bin")).ShouldBeFalse("a corpus for a given VF leaves out vectors that need another target");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_prints_a_line_per_vector_and_a_summary_and_writes_junit()
    {
        var junit = Path.Combine(Directory.CreateTempSubdirectory("xsk-junit-").FullName, "model.xml");
        try
        {
            var r = CliHarness.Run(null, "conformance", "run", "--impl", "model", "--corpus", RepoPaths.Corpus, "--filter", "desc", "--split", "7", "--junit", junit);
            r.ExitCode.ShouldBe(0, r.StdOut + r.StdErr);
            r.StdOut.ShouldContain("PASS n_desc_devid                       ENODEV on write() of packet #0 (XE-DESC-DEVID)");
            r.StdOut.TrimEnd().Split('\n')[^1].ShouldStartWith("model: ");
            r.StdOut.ShouldContain(" passed, 0 failed; i_ vectors 2 of 2 as modelled (driver newest, writes of 7)");
            var xml = XDocument.Load(junit);
            var suite = xml.Root!.Element("testsuite")!;
            suite.Attribute("failures")!.Value.ShouldBe("0");
            int.Parse(suite.Attribute("tests")!.Value).ShouldBe(suite.Elements("testcase").Count());
            suite.Elements("testcase").ShouldContain(t => t.Attribute("name")!.Value == "n_desc_klv_truncated");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(junit)!, recursive: true);
        }
    }

    [Fact]
    public void The_driver_version_changes_what_is_expected()
    {
        var r = CliHarness.Run(null, "conformance", "run", "--impl", "model", "--corpus", RepoPaths.Corpus, "--filter", "klv_truncated", "--driver", "6.19", "--json");
        r.ExitCode.ShouldBe(0, r.StdOut);
        using var doc = JsonDocument.Parse(r.StdOut);
        var v = doc.RootElement.GetProperty("implementations")[0].GetProperty("vectors")[0];
        v.GetProperty("actual").GetString().ShouldBe("EINVAL on write() of packet #0 (XE-DESC-KLV)");
    }

    [Fact]
    public void A_failing_implementation_exits_2_and_the_matrix_shows_where()
    {
        var r = CliHarness.Run(null, "conformance", "run", "--impl", "validator", "--impl", "exec:cat >/dev/null", "--matrix", "--corpus", RepoPaths.Corpus, "--filter", "n_desc_d");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldMatchApprovedText();
        CliHarness.Run(null, "conformance", "run", "--impl", "validator", "--impl", "model").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "conformance", "run", "--impl", "bogus").ExitCode.ShouldBe(1);
        CliHarness.Run(null, "conformance", "run", "--impl", "model", "--corpus", "/nonexistent").ExitCode.ShouldBe(4);
    }

    [Fact]
    public void Inspect_validate_and_compat_output_on_corpus_vectors_is_approved()
    {
        var runs = new (string Vector, string[] Args)[]
        {
            ("y_save", ["inspect", "-"]),
            ("i_after_trailer", ["validate", "-"]),
            ("n_mmio_size_12", ["validate", "-", "--profile", "strict"]),
            ("n_trunc_ggtt_payload", ["validate", "-", "--profile", "strict"]),
            ("n_desc_klv_truncated", ["compat", "-", "--target", "bmg,ggtt=16KiB,lmem=8KiB,driver=6.19"]),
            ("n_ggtt_short", ["compat", "-", "--target", "bmg,ggtt=16KiB,lmem=8KiB"]),
            ("n_vram_bounds", ["compat", "-", "--target", "bmg,ggtt=16KiB,lmem=8KiB", "--json"]),
            ("n_haz_desc_version", ["compat", "-", "--target", "bmg,ggtt=16KiB,lmem=8KiB,driver=6.19"]),
            ("n_haz_ring_full_after_trailer", ["validate", "-"]),
        };
        var text = new System.Text.StringBuilder();
        foreach (var (vector, args) in runs)
        {
            var r = CliHarness.Run(Vector(vector), args);
            text.Append($"$ xsk {string.Join(' ', args)} < {vector}.bin   # exit {r.ExitCode}\n{r.StdOut}{r.StdErr}\n");
        }
        text.ToString().ShouldMatchApprovedText();
    }
}
