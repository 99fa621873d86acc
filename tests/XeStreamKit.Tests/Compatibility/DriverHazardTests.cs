using System.Text.Json;
using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Devices;
using XeStreamKit.Harness.Conformance;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;
using static XeStreamKit.Tests.Support.SmallBmgSave;

namespace XeStreamKit.Tests.Compatibility;

/// <summary>
/// The images the xe driver does not survive (spec/rules.yaml XE-HAZ-*): a kernel oops in write()
/// or in a GT worker, or a write() that never returns. Each class through compat, validate and the
/// emulated device, for both driver versions; none is ever compatible.
/// </summary>
public class DriverHazardTests
{
    private static readonly TargetProfile T = SmallBmg;

    public static TheoryData<string, byte[], DriverHazard, string, string, long, string> Classes() => new()
    {
        // class, stream, hazard, errno user space sees, reported at, packet, rule
        { "descriptor version 2", Save().With(Desc, p => p with { Version = 2 }).ToBytes(), DriverHazard.OopsInWrite, "None", "write", Desc, "XE-HAZ-DESC-VERSION" },
        { "GuC version 0", Save().With(Guc0, p => p with { Version = 0 }).ToBytes(), DriverHazard.OopsInWorker, "EINVAL", "write", Guc0, "XE-HAZ-GT-VERSION" },
        { "GGTT version 2", Save().With(Ggtt0, p => p with { Version = 2 }).ToBytes(), DriverHazard.OopsInWorker, "EINVAL", "write", Ggtt0, "XE-HAZ-GT-VERSION" },
        { "MMIO version 2", Save().With(Mmio1, p => p with { Version = 2 }).ToBytes(), DriverHazard.OopsInWorker, "EINVAL", "write", Mmio1, "XE-HAZ-GT-VERSION" },
        { "VRAM version 2", Save().With(Vram0, p => p with { Version = 2 }).ToBytes(), DriverHazard.OopsInWorker, "EINVAL", "write", Vram0, "XE-HAZ-GT-VERSION" },
        { "VRAM of size 0", Save().Inserting(Trl, Vram(0, 4096, 0)).ToBytes(), DriverHazard.OopsInWorker, "ETIMEDOUT", "finish", Trl, "XE-HAZ-VRAM-EMPTY" },
        { "6 packets after the trailer", [.. Save().ToBytes(), .. Enumerable.Repeat(Mmio(1), 6).ToBytes()], DriverHazard.Hang, "None", "write", S.Count + 5, "XE-HAZ-RING-FULL" },
        { "trailer first, 6 unknown types", new List<PacketEdit> { S[Desc], S[Trl] }.Concat(Enumerable.Repeat(new PacketEdit((PacketType)9, 0, 0, [1, 2, 3, 4]), 6)).ToBytes(),
            DriverHazard.Hang, "None", "write", 7, "XE-HAZ-RING-FULL" },
    };

    [Theory]
    [MemberData(nameof(Classes))]
    public void Compat_names_the_hazard_for_both_driver_versions_and_never_says_compatible(string name, byte[] stream, DriverHazard hazard, string errno, string at, long packet, string rule)
    {
        foreach (var driver in new[] { DriverVersion.V6_19, DriverVersion.Newest })
        {
            var r = CompatibilityCheck.Check(new MemoryStream(stream), T with { Driver = driver });
            r.Compatible.ShouldBeFalse(name);
            r.Hazard.ShouldBe(hazard, name);
            r.Outcome.ShouldBe(hazard == DriverHazard.Hang ? "hang" : "kernel-oops");
            r.Failure!.Rule.Id.ShouldBe(rule);
            r.Failure.Errno.ToString().ShouldBe(errno);
            JsonOutReportedAt(r.Failure.At).ShouldBe(at);
            r.Failure.PacketIndex.ShouldBe(packet);
            r.Failure.KernelFunction.ShouldNotBeNullOrWhiteSpace();
            r.Failure.KernelFunction!.ShouldContain("@");
            r.Reason.ShouldStartWith("DRIVER HAZARD ");
        }
    }

    [Theory]
    [MemberData(nameof(Classes))]
    public void Validate_reports_the_hazard_as_an_error_under_its_own_rule(string name, byte[] stream, DriverHazard hazard, string errno, string at, long packet, string rule)
    {
        _ = (hazard, errno, at);
        var report = StreamValidator.Validate(new MemoryStream(stream), new ValidationOptions { Profile = Profile.Kernel, Target = T });
        report.Valid.ShouldBeFalse(name);
        var d = report.Diagnostics.First(x => x.Rule.Id == rule);
        d.Severity.ShouldBe(Severity.Hazard);
        d.PacketIndex.ShouldBe(packet);
        d.KernelFunction.ShouldNotBeNullOrWhiteSpace();
        report.Errors.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Theory]
    [MemberData(nameof(Classes))]
    public void The_emulated_device_refuses_the_restore_and_names_the_hazard(string name, byte[] stream, DriverHazard hazard, string errno, string at, long packet, string rule)
    {
        _ = (errno, at, packet);
        using var device = new EmulatedPf(T, seed: 3).Device(1);
        device.Pause();
        var e = Should.Throw<DeviceException>(() =>
        {
            using var sink = device.BeginRestore();
            sink.Write(stream);
            device.FinishRestore();
        }, name);
        e.Hazard.ShouldBe(hazard);
        e.Message.ShouldContain($"DRIVER HAZARD {rule}");
        e.Message.ShouldContain("refused by the emulated device");
    }

    [Fact]
    public void The_descriptor_oops_is_in_a_different_function_in_each_driver_version()
    {
        var bytes = Save().With(Desc, p => p with { Version = 2 }).ToBytes();
        CompatibilityCheck.Check(new MemoryStream(bytes), T with { Driver = DriverVersion.V6_19 }).Failure!.KernelFunction
            .ShouldBe("xe_sriov_packet.c@83675851547e:xe_sriov_packet_process_descriptor:L405-L463 (klvs[0])");
        CompatibilityCheck.Check(new MemoryStream(bytes), T with { Driver = DriverVersion.Newest }).Failure!.KernelFunction
            .ShouldStartWith("xe_guc_klv_helpers.c:xe_guc_klv_count");
    }

    public static TheoryData<string, byte[], string, string> NearMisses() => new()
    {
        // The same mistakes one step short of the hazard: an errno, no crash.
        { "empty descriptor, version 2", Save().With(Desc, p => p with { Version = 2, Payload = [] }).ToBytes(), "EINVAL", "XE-HDR-VERSION" },
        { "descriptor version 2 not in KLV format", Save().With(Desc, p => p with { Version = 2, Payload = [.. p.Payload, 1] }).ToBytes(), "EINVAL", "XE-DESC-DWORDS" },
        { "descriptor version 2 on GT 1", Save().With(Desc, p => p with { Version = 2, Gt = 1 }).ToBytes(), "EINVAL", "XE-DESC-ROUTE" },
        { "MMIO version 2 of the wrong size", Save().With(Mmio1, _ => Mmio(1, 8) with { Version = 2 }).ToBytes(), "EINVAL", "XE-HDR-VERSION" },
        { "unknown type version 2", Save().Inserting(Trl, new PacketEdit((PacketType)9, 0, 0, [1, 2, 3, 4]) { Version = 2 }).ToBytes(), "EINVAL", "XE-HDR-VERSION" },
        { "version 2 for a failed GT", Save().With(Mmio1, _ => Mmio(1, 8)).Inserting(Mmio1 + 1, Guc(1) with { Version = 2 }).ToBytes(), "EIO", "XE-GT-FAILED" },
        { "VRAM of size 0 beyond the LMEM", Save().Inserting(Trl, Vram(0, 1UL << 30, 0)).ToBytes(), "EIO", "XE-VRAM-BOUNDS" },
        { "GuC blob over the 8 MiB cache", Save().With(S.Find(PacketType.Guc, 1), _ => Guc(1, (8 << 20) + 4)).ToBytes(), "EIO", "XE-GUC-CACHE" },
    };

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void One_step_short_of_a_hazard_the_driver_only_returns_an_errno(string name, byte[] stream, string errno, string rule)
    {
        foreach (var driver in new[] { DriverVersion.V6_19, DriverVersion.Newest })
        {
            var r = CompatibilityCheck.Check(new MemoryStream(stream), T with { Driver = driver });
            r.Hazard.ShouldBe(DriverHazard.None, name);
            r.Outcome.ShouldBe("errno");
            r.Failure!.Errno.ToString().ShouldBe(errno, name);
            // The rule is the failure's own, or the one that failed its GT earlier.
            new[] { r.Failure.Rule.Id, r.Failure.Cause?.Rule.Id }.ShouldContain(rule, name);
        }
    }

    [Fact]
    public void Five_packets_after_the_trailer_fit_the_ring_and_are_accepted_unapplied()
    {
        var bytes = (byte[])[.. Save().ToBytes(), .. Enumerable.Repeat(Mmio(1), 5).ToBytes()];
        var r = CompatibilityCheck.Check(new MemoryStream(bytes), T);
        r.Compatible.ShouldBeTrue();
        r.Warnings.Count(w => w.Rule == Rules.XeAfterTrailer).ShouldBe(5);
    }

    [Fact]
    public void Real_driver_implementations_skip_hazard_vectors_unless_allowed()
    {
        var hazards = CorpusGenerator.Vectors().Where(v => v.Entry.Stored && v.Entry.Expect.Hazard != DriverHazard.None).ToList();
        hazards.Count.ShouldBeGreaterThanOrEqualTo(8);
        // A real program stands in for a parser that may drive hardware: it reads the vector and rejects it.
        using var exec = Implementations.Open("exec:cat > /dev/null; exit 1", WriteSplit.Default);
        exec.ReachesRealDriver.ShouldBeTrue();
        var skipped = ConformanceRunner.Run(hazards, exec, DriverVersion.Newest).ToList();
        skipped.ShouldAllBe(r => r.Skipped && r.Passed && r.Actual == null);
        skipped[0].Detail.ShouldContain("--allow-hazards");
        var run = ConformanceRunner.Run(hazards, exec, DriverVersion.Newest, allowHazards: true).ToList();
        run.ShouldAllBe(r => !r.Skipped && r.Passed && r.Actual != null && !r.Actual.Accepted);
        using var model = Implementations.Open("model", WriteSplit.Default);
        model.ReachesRealDriver.ShouldBeFalse();
        ConformanceRunner.Run(hazards, model, DriverVersion.Newest).ShouldAllBe(r => !r.Skipped && r.Passed);
    }

    [Fact]
    public void Compat_cli_exits_3_and_names_outcome_function_packet_and_offset()
    {
        var bytes = Save().With(Mmio1, p => p with { Version = 2 }).ToBytes();
        var text = CliHarness.Run(bytes, "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB");
        text.ExitCode.ShouldBe(3, text.StdErr);
        text.StdOut.ShouldStartWith("incompatible: DRIVER HAZARD kernel-oops: ");
        text.StdOut.ShouldContain("pf_migration_mmio_restore");
        var json = CliHarness.Run(bytes, "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--json");
        json.ExitCode.ShouldBe(3);
        using var doc = JsonDocument.Parse(json.StdOut);
        var root = doc.RootElement;
        root.GetProperty("compatible").GetBoolean().ShouldBeFalse();
        root.GetProperty("outcome").GetString().ShouldBe("kernel-oops");
        root.GetProperty("errno").GetString().ShouldBe("EINVAL");
        var h = root.GetProperty("hazard");
        h.GetProperty("outcome").GetString().ShouldBe("kernel-oops");
        h.GetProperty("context").GetString().ShouldBe("worker");
        h.GetProperty("function").GetString()!.ShouldContain("xe_gt_sriov_pf_migration.c@09af64eba63e:pf_migration_mmio_restore");
        h.GetProperty("packetIndex").GetInt64().ShouldBe(Mmio1);
        h.GetProperty("streamOffset").GetInt64().ShouldBe(Save().Take(Mmio1).ToBytes().Length);
        var ok = CliHarness.Run(Save().ToBytes(), "compat", "-", "--target", "bmg,ggtt=16KiB,lmem=16KiB", "--json");
        using var okDoc = JsonDocument.Parse(ok.StdOut);
        okDoc.RootElement.GetProperty("outcome").GetString().ShouldBe("accepted");
        okDoc.RootElement.GetProperty("hazard").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Validate_cli_marks_the_hazard_and_exits_2()
    {
        var bytes = Save().With(Desc, p => p with { Version = 2 }).ToBytes();
        var r = CliHarness.Run(bytes, "validate", "-", "--driver", "6.19");
        r.ExitCode.ShouldBe(2);
        r.StdOut.ShouldContain("INVALID (DRIVER HAZARD");
        r.StdOut.ShouldContain("hazard   XE-HAZ-DESC-VERSION");
        var json = CliHarness.Run(bytes, "validate", "-", "--json");
        using var doc = JsonDocument.Parse(json.StdOut);
        var d = doc.RootElement.GetProperty("diagnostics").EnumerateArray().Single(x => x.GetProperty("rule").GetString() == "XE-HAZ-DESC-VERSION");
        d.GetProperty("severity").GetString().ShouldBe("hazard");
        d.GetProperty("outcome").GetString().ShouldBe("kernel-oops");
        d.GetProperty("context").GetString().ShouldBe("write");
    }

    [Fact]
    public void Corpus_generate_hazards_writes_each_hazard_with_the_smallest_trigger_and_a_readme()
    {
        using var dir = new TempDir("xsk-hazards-");
        var r = CliHarness.Run(null, "corpus", "generate", dir.Path, "--hazards", "--json");
        r.ExitCode.ShouldBe(0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var names = doc.RootElement.GetProperty("hazards").EnumerateArray().Select(h => h.GetProperty("name").GetString()!).ToList();
        names.ShouldBe(CorpusGenerator.Vectors().Where(v => v.Entry.Stored && v.Entry.Expect.Hazard != DriverHazard.None).Select(v => v.Entry.Name));
        Directory.GetFiles(dir.Path, "y_*").ShouldBeEmpty();
        File.ReadAllText(Path.Combine(dir.Path, "README.md")).ShouldContain("n_haz_ring_full_after_trailer");
        // A header alone is enough for the version hazards: dispatch happens when the 24 header bytes are complete.
        var min = File.ReadAllBytes(Path.Combine(dir.Path, "n_haz_desc_version.min.bin"));
        min.Length.ShouldBe(Packet.HeaderSize);
        (min[0], min[1]).ShouldBe(((byte)2, (byte)PacketType.Descriptor));
        // The ring hazard needs the trailer and 6 packets for one GT, and nothing else.
        var ring = PacketEdits.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "n_haz_ring_full_after_trailer.min.bin")));
        ring.Count.ShouldBe(7);
        ring[0].Type.ShouldBe(PacketType.Trailer);
        CompatibilityCheck.Check(new MemoryStream(ring.ToBytes()), T).Hazard.ShouldBe(DriverHazard.Hang);
        var readme = File.ReadAllText(Path.Combine(dir.Path, "n_haz_desc_version.md"));
        readme.ShouldContain("00000000  02 01 00 00");
        readme.ShouldContain("xe_sriov_packet.c@83675851547e:xe_sriov_packet_process_descriptor");
        readme.ShouldContain("Smallest write sequence");
    }

    private static string JsonOutReportedAt(ReportedAt at) => at.ToString().ToLowerInvariant();
}
