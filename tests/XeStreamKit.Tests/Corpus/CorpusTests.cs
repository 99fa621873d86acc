using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Driver;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Corpus;

public class CorpusTests
{
    [Fact]
    public void The_checked_in_corpus_is_exactly_what_the_generator_makes()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-corpus-").FullName;
        try
        {
            CorpusGenerator.Write(dir);
            var ours = Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            var theirs = Directory.GetFiles(RepoPaths.Corpus).Select(Path.GetFileName).Where(n => n != "README.md").Order(StringComparer.Ordinal).ToList();
            theirs.ShouldBe(ours, "regenerate with: xsk corpus generate conformance/corpus");
            foreach (var name in ours)
                File.ReadAllBytes(Path.Combine(RepoPaths.Corpus, name!)).ShouldBe(File.ReadAllBytes(Path.Combine(dir, name!)), $"{name} differs: regenerate with xsk corpus generate conformance/corpus");
            Directory.EnumerateFiles(RepoPaths.Corpus).Sum(f => new FileInfo(f).Length).ShouldBeLessThan(10L << 20);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_corpus_covers_every_rule_and_every_row_of_the_drivers_error_table()
    {
        var manifest = CorpusManifest.Parse(File.ReadAllText(Path.Combine(RepoPaths.Corpus, CorpusManifest.FileName)));
        var covered = manifest.Vectors.SelectMany(v => v.Strict.Concat(new[] { v.Expect }.Concat(v.ByDriver.Values).Select(o => o.Rule).OfType<string>())).ToHashSet();
        Rules.All.Select(r => r.Id).Where(id => !covered.Contains(id)).ShouldBeEmpty();
        // Every rule the driver enforces is the expected outcome of at least one n_ vector.
        var rejected = manifest.Vectors.Where(v => v.Kind == VectorKind.Reject).SelectMany(v => new[] { v.Expect }.Concat(v.ByDriver.Values)).Select(o => o.Rule).ToHashSet();
        Rules.All.Where(r => r.IsDriverRule).Select(r => r.Id).Where(id => !rejected.Contains(id)).ShouldBeEmpty();
        // Every reporting point and every errno of the table shows up.
        var outcomes = manifest.Vectors.SelectMany(v => new[] { v.Expect }.Concat(v.ByDriver.Values)).Where(o => !o.Accepted).ToList();
        outcomes.Select(o => o.At).Distinct().Order().ShouldBe([ReportedAt.Write, ReportedAt.Finish, ReportedAt.Setup]);
        outcomes.Where(o => o.Errno != Errno.None).Select(o => o.Errno.ToString()).Distinct().Order(StringComparer.Ordinal)
            .ShouldBe(["EINVAL", "EIO", "ENODATA", "ENODEV", "ENOMEM", "ENOTTY", "ETIMEDOUT"]);
        // Every driver hazard has n_ vectors, each naming the kernel function for both driver versions.
        outcomes.Select(o => o.Hazard).Distinct().Order().ShouldBe([DriverHazard.None, DriverHazard.OopsInWrite, DriverHazard.OopsInWorker, DriverHazard.Hang]);
        foreach (var v in manifest.Vectors.Where(v => v.Expect.Hazard != DriverHazard.None))
        {
            v.Kind.ShouldBe(VectorKind.Reject, v.Name);
            foreach (var d in new[] { DriverVersion.V6_19, DriverVersion.Newest })
                v.ExpectFor(d).Function.ShouldNotBeNullOrWhiteSpace(v.Name);
        }
        manifest.Vectors.Select(v => v.Why).ShouldAllBe(why => !why.Contains('§'));
        manifest.Vectors.Count(v => v.Kind == VectorKind.ImplementationDefined).ShouldBeGreaterThanOrEqualTo(8);
        manifest.Vectors.ShouldContain(v => !v.Stored && v.Name == "y_vram_512mib_chunks");
    }

    [Fact]
    public void Hazard_functions_carry_exactly_the_counted_line_ranges()
    {
        var manifest = CorpusManifest.Parse(File.ReadAllText(Path.Combine(RepoPaths.Corpus, CorpusManifest.FileName)));
        var functions = manifest.Vectors.SelectMany(v => new[] { v.Expect }.Concat(v.ByDriver.Values)).Select(o => o.Function).OfType<string>().Distinct().ToList();
        // Each range sits right after the file@commit:function it was counted in, and only there.
        var cited = functions.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(f, @"([\w.]+@[0-9a-f]{12}:\w+):L(\d+)-L(\d+)"))
            .Select(m => (Citation: m.Groups[1].Value, First: int.Parse(m.Groups[2].Value), Last: int.Parse(m.Groups[3].Value))).ToList();
        cited.Count.ShouldBe(functions.Sum(f => System.Text.RegularExpressions.Regex.Count(f, @":L\d")), "a line range not in the form file@commit:function:L<first>-L<last>");
        foreach (var (citation, first, last) in cited)
        {
            KernelSourceLines.All.TryGetValue(citation, out var counted).ShouldBeTrue(citation);
            counted.ShouldBe((first, last), citation);
            first.ShouldBeLessThan(last, citation);
        }
        // Every counted range is used by some hazard.
        KernelSourceLines.All.Keys.Order(StringComparer.Ordinal).ShouldBe(cited.Select(c => c.Citation).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_altered_vector_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-corpus-").FullName;
        try
        {
            CorpusGenerator.Write(dir);
            var path = Path.Combine(dir, "y_save.bin");
            var bytes = File.ReadAllBytes(path);
            bytes[30] ^= 1;
            File.WriteAllBytes(path, bytes);
            Should.Throw<InvalidDataException>(() => CorpusSource.Load(dir)).Message.ShouldContain("SHA-256 does not match");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_512_mib_chunk_vector_is_made_on_the_fly_and_passes_the_model()
    {
        var big = CorpusSource.Load(RepoPaths.Corpus).Single(v => v.Entry.Name == "y_vram_512mib_chunks");
        using var impl = new ModelImpl(WriteSplit.Default);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = ConformanceRunner.Run([big], impl, DriverVersion.Newest).Single();
        result.Passed.ShouldBeTrue(result.Detail);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L << 20);
    }

    [Fact]
    public void A_real_device_runner_restores_every_portable_vector_through_the_vfio_uapi()
    {
        var home = CorpusGenerator.DefaultHome;
        var spec = CorpusGenerator.SpecOf(home);
        var vectors = CorpusSource.Load(RepoPaths.Corpus).Where(v => v.Entry.Stored && v.Entry.Portable && v.Entry.Target == spec).ToList();
        vectors.Count.ShouldBeGreaterThan(50);
        var fake = new FakeXeVfioPci(new EmulatedPf(home, seed: 9).Device(1)) { MaxWriteChunk = 5000 };
        using var impl = new DeviceImpl(VfioMigrationDevice.Create(fake, "vfio:fake"), "vfio:fake");
        var failures = ConformanceRunner.Run(vectors, impl, DriverVersion.Newest).Where(r => !r.Passed).Select(r => $"{r.Entry.Name}: {r.Detail}").ToList();
        failures.ShouldBeEmpty(string.Join("\n", failures));
        // Vectors that would crash or hang the driver are not sent to a device without --allow-hazards.
        var hazards = vectors.Count(v => v.Entry.Expect.Hazard != DriverHazard.None);
        hazards.ShouldBeGreaterThan(0);
        fake.Resets.ShouldBe(vectors.Count - hazards);
    }

    [Fact]
    public void A_real_device_runner_restores_vectors_through_the_debugfs_files()
    {
        var home = CorpusGenerator.DefaultHome;
        var spec = CorpusGenerator.SpecOf(home);
        var names = new[] { "y_save", "n_desc_devid", "n_mmio_size_12", "n_trl_missing", "n_gt_failed_then_write", "n_trunc_vram_payload" };
        var vectors = CorpusSource.Load(RepoPaths.Corpus).Where(v => names.Contains(v.Entry.Name)).ToList();
        var device = new EmulatedPf(home, seed: 9).Device(1);
        using var server = new FifoDebugfsServer(device);
        var results = Timed.Run(() =>
        {
            using var impl = new DeviceImpl(server.Connect(), "debugfs:fifo");
            return ConformanceRunner.Run(vectors, impl, DriverVersion.Newest).ToList();
        }, onTimeout: server.Dispose);
        results.Where(r => !r.Passed).Select(r => $"{r.Entry.Name}: {r.Detail}").ShouldBeEmpty();
        results.Count.ShouldBe(names.Length);
    }

    [Fact]
    public void An_exec_implementation_is_judged_by_its_exit_status()
    {
        var xsk = Path.Combine(AppContext.BaseDirectory, "xsk.dll");
        var vectors = CorpusSource.Load(RepoPaths.Corpus).Where(v => v.Entry.Stored).Take(12).ToList();
        // Our own validator as a third-party parser: exit 0 for what the driver accepts.
        using var validator = new ExecImpl($"dotnet '{xsk}' validate - >/dev/null 2>&1");
        var results = ConformanceRunner.Run(vectors, validator, DriverVersion.Newest).ToList();
        results.Where(r => !r.Passed && r.Entry.Target == CorpusGenerator.SpecOf(CorpusGenerator.DefaultHome)).Select(r => r.Entry.Name).ShouldBeEmpty();
        // A parser that accepts everything fails every n_ vector.
        using var lenient = new ExecImpl("cat >/dev/null");
        var lax = ConformanceRunner.Run(vectors, lenient, DriverVersion.Newest).ToList();
        lax.Where(r => !r.Passed).Select(r => r.Entry.Name).ShouldBe(vectors.Where(v => !v.Entry.ExpectFor(DriverVersion.Newest).Accepted).Select(v => v.Entry.Name));
    }

    [Fact]
    public void The_fuzzer_ci_pass_is_clean()
    {
        var report = new Fuzzer(seed: 20261121).Run(TimeSpan.FromSeconds(30), iterations: 1500);
        report.Iterations.ShouldBe(1500);
        report.Findings.Select(f => $"{f.Stage}: {f.Problem} ({Convert.ToHexString(f.Minimized)})").ShouldBeEmpty();
    }

    [Fact]
    public void The_fuzzer_finds_and_minimizes_a_planted_fault()
    {
        // A check that fails on any input holding the byte 0xAB: the finding must shrink to that byte.
        (string, string)? Planted(byte[] input) => input.Contains((byte)0xAB) ? ("planted", "InvalidOperationException: planted") : null;
        var report = new Fuzzer(seed: 4, check: Planted).Run(TimeSpan.FromSeconds(30), iterations: 20000);
        var finding = report.Findings.ShouldHaveSingleItem();
        finding.Stage.ShouldBe("planted");
        finding.Minimized.ShouldBe([(byte)0xAB]);
        Fuzzer.Check(finding.Minimized).ShouldBeNull();
    }

    [Fact]
    public void The_fuzzer_seeds_from_a_corpus_s_stored_vectors_and_refuses_a_corpus_without_any()
    {
        List<string> Inputs(Func<Func<byte[], (string, string)?>, Fuzzer> make)
        {
            var inputs = new List<string>();
            make(input =>
            {
                lock (inputs) inputs.Add(Convert.ToHexString(input));
                return null;
            }).Run(TimeSpan.FromSeconds(30), iterations: 200);
            return inputs;
        }
        var fromCorpus = Inputs(check => Fuzzer.FromCorpus(5, CorpusSource.Load(RepoPaths.Corpus), check));
        fromCorpus.Count.ShouldBe(200);
        fromCorpus.ShouldBe(Inputs(check => new Fuzzer(5, check: check)));

        var large = CorpusGenerator.Vectors().Where(v => !v.Entry.Stored || v.Entry.Size >= Fuzzer.MaxSeedLength);
        Should.Throw<SpecTextException>(() => Fuzzer.FromCorpus(5, large)).Message.ShouldStartWith("no seed inputs");
        Should.Throw<SpecTextException>(() => new Fuzzer(5, seeds: [])).Message.ShouldStartWith("no seed inputs");
    }

    [Fact]
    public void A_home_target_whose_device_xe_vfio_pci_does_not_bind_is_refused_with_a_spec_error()
    {
        var unknown = CorpusGenerator.DefaultHome with { Platform = null };
        Should.Throw<SpecTextException>(() => CorpusGenerator.Vectors(unknown)).Message.ShouldContain("is not one xe-vfio-pci binds");
        Should.Throw<SpecTextException>(() => CorpusGenerator.SpecOf(unknown)).Message.ShouldContain("is not one xe-vfio-pci binds");
        var dir = Path.Combine(Path.GetTempPath(), $"xsk-corpus-{Guid.NewGuid():N}");
        Should.Throw<SpecTextException>(() => CorpusGenerator.Write(dir, unknown));
        Directory.Exists(dir).ShouldBeFalse();
    }

    [Fact]
    public void The_fuzzer_reports_a_hang_and_stops()
    {
        (string, string)? Hangs(byte[] input)
        {
            if (input.Length > 100) Thread.Sleep(2000);
            return null;
        }
        var report = new Fuzzer(seed: 1, check: Hangs, limit: TimeSpan.FromMilliseconds(100)).Run(TimeSpan.FromSeconds(20), iterations: 50);
        var finding = report.Findings.ShouldHaveSingleItem();
        finding.Problem.ShouldStartWith("hang: no result after 0.1 s");
        report.Iterations.ShouldBeLessThan(50);
    }
}
