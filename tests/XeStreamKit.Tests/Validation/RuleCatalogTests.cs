using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;
using static XeStreamKit.Tests.Support.SmallBmgSave;

namespace XeStreamKit.Tests.Validation;

/// <summary>
/// Every rule of spec/rules.yaml (generated into <see cref="Rules"/>) has an implementation:
/// a vector that breaks it is reported, and the driver-shaped vector is not.
/// </summary>
public class RuleCatalogTests
{
    private static readonly TargetProfile T = SmallBmg;

    private sealed record Case(Func<byte[]> Failing, TargetProfile? Target = null, bool SelfDescribed = false, Func<byte[]>? Passing = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["XE-HDR-VERSION"] = new(() => Save().With(Mmio1, _ => Mmio(1, 12) with { Version = 2 }).ToBytes()),
        ["XE-HDR-VRAM-WRAP"] = new(() => Save().With(Vram0, p => p with { SizeOverride = ulong.MaxValue }).Take(Vram0 + 1).ToBytes()),
        ["XE-GUC-DWORDS"] = new(() => Save().With(Guc1, _ => Guc(1, 3)).ToBytes()),
        ["XE-GUC-CACHE"] = new(() => Save().With(Guc1, _ => Guc(1, (8 << 20) + 4)).ToBytes()),
        ["XE-HAZ-DESC-VERSION"] = new(() => Save().With(Desc, p => p with { Version = 2 }).ToBytes()),
        ["XE-HAZ-GT-VERSION"] = new(() => Save().With(Guc0, p => p with { Version = 2 }).ToBytes()),
        ["XE-HAZ-VRAM-EMPTY"] = new(() => Save().Inserting(Trl, Vram(0, 0, 0)).ToBytes()),
        ["XE-HAZ-RING-FULL"] = new(() => [.. Save().ToBytes(), .. Enumerable.Repeat(Guc(1), 6).ToBytes()]),
        ["XE-HDR-GT"] = new(() => Save().With(Guc0, p => p with { Gt = 7 }).ToBytes()),
        ["XE-HDR-ALLOC"] = new(() => Save().With(Guc0, p => p with { SizeOverride = 4UL << 30 }).Take(Guc0 + 1).ToBytes()),
        ["XE-HDR-TYPE"] = new(() => Save().With(Guc0, p => p with { Type = 0 }).ToBytes()),
        ["XE-HDR-TILE"] = new(() => Save().With(Guc0, p => p with { Tile = 1 }).ToBytes()),
        ["XE-DESC-ROUTE"] = new(() => Save().With(Desc, p => p with { Gt = 1 }).ToBytes()),
        ["XE-DESC-DWORDS"] = new(() => Save().With(Desc, p => p with { Payload = [.. p.Payload, 0, 0] }).ToBytes()),
        ["XE-DESC-KLV"] = new(() => Save().With(Desc, p => p with { Payload = [.. PacketEdit.Klvs((0xF001, [0xE20B])), .. PacketEdit.Dwords(0xF0020003, 0)] }).ToBytes()),
        ["XE-DESC-DEVID"] = new(() => Save().With(Desc, _ => Descriptor(0xE211, 0)).ToBytes()),
        ["XE-DESC-REVID"] = new(() => Save().With(Desc, _ => Descriptor(0xE20B, 1)).ToBytes()),
        ["XE-DESC-KEY"] = new(() => Save().With(Desc, p => p with { Payload = [.. p.Payload, .. PacketEdit.Klvs((0xF0AB, [1, 2]))] }).ToBytes()),
        ["XE-TRL-ROUTE"] = new(() => Save().With(Trl, p => p with { Gt = 1 }).ToBytes()),
        ["XE-TRL-EMPTY"] = new(() => Save().With(Trl, p => p with { Offset = 16 }).ToBytes()),
        ["XE-GT-FAILED"] = new(() => Save().With(Mmio0, _ => Mmio(0, 12)).ToBytes()),
        ["XE-TYPE-UNKNOWN"] = new(() => Save().Inserting(Desc + 1, new PacketEdit((PacketType)7, 0, 0, [1, 2, 3, 4])).ToBytes()),
        ["XE-AFTER-TRAILER"] = new(() => [.. Save().ToBytes(), .. Guc(1).ToBytes()]),
        ["XE-MMIO-SIZE"] = new(() => Save().With(Mmio1, _ => Mmio(1, 12)).ToBytes()),
        ["XE-GGTT-NODE"] = new(() => Save().With(Guc1, _ => Ggtt(1, 4)).ToBytes()),
        ["XE-GGTT-SIZE"] = new(() => Save().With(Ggtt0, _ => Ggtt(0, 3)).ToBytes()),
        ["XE-VRAM-LMEM"] = new(() => [.. Save().Take(Trl).ToBytes(), .. Vram(1, 0, 4096).ToBytes(), .. Trailer().ToBytes()]),
        ["XE-VRAM-BOUNDS"] = new(() => Save().With(Vram0 + 1, _ => Vram(0, 16384, 4096)).ToBytes()),
        ["XE-GUC-EMPTY"] = new(() => Save().With(Guc1, _ => Guc(1, 0)).ToBytes()),
        ["XE-TRL-MISSING"] = new(() => Save().Take(Trl).ToBytes()),
        ["XE-TRUNCATED"] = new(() => Save().ToBytes()[..^5]),
        ["XE-TGT-MIGRATION"] = new(() => Save().ToBytes(), T with { Guc = (70, 44, 0) }, Passing: () => Save().ToBytes()),
        ["XE-S-DESC-FIRST"] = new(() => Save().With(Desc, _ => Guc(0)).With(Guc0, _ => Descriptor(0xE20B, 0)).ToBytes()),
        ["XE-S-DESC-IDS"] = new(() => Save().With(Desc, _ => new PacketEdit(PacketType.Descriptor, 0, 0, PacketEdit.Klvs((0xF001, [0xE20B]), (0xF002, [0, 0])))).ToBytes()),
        ["XE-S-DEVICE"] = new(() => Save().With(Desc, _ => Descriptor(0x1234, 0)).ToBytes(), Target: null, SelfDescribed: true),
        ["XE-S-TRL-LAST"] = new(() => [.. Save().ToBytes(), .. Trailer().ToBytes()]),
        ["XE-S-GT-ORDER"] = new(() => Save().With(Ggtt0, _ => Mmio(0)).With(Mmio0, _ => Ggtt(0, 4)).ToBytes()),
        ["XE-S-GT-PARTS"] = new(() => Save().Without(Mmio1).ToBytes()),
        ["XE-S-FLAGS"] = new(() => Save().With(Guc0, p => p with { Flags = 1 }).ToBytes()),
        ["XE-S-OFFSET"] = new(() => Save().With(Guc0, p => p with { Offset = 4096 }).ToBytes()),
        ["XE-S-GUC-SIZE"] = new(() => Save().With(Guc0, _ => Guc(0, 62)).ToBytes()),
        ["XE-S-GGTT-SIZE"] = new(() => Save().With(Ggtt0, p => p with { Payload = p.Payload[..^4] }).ToBytes()),
        ["XE-S-GGTT-VFID"] = new(() => Save().With(Ggtt0, _ => Ggtt(0, 4, vfIdBits: 1UL << 2)).ToBytes()),
        ["XE-S-VRAM-CHUNK"] = new(() => Save().With(Vram0 + 1, p => p with { SizeOverride = (512UL << 20) + 4096 }).Take(Vram0 + 2).ToBytes()),
        ["XE-S-VRAM-ALIGN"] = new(() => Save().With(Vram0 + 1, _ => Vram(0, 8192, 8000)).ToBytes()),
        ["XE-S-VRAM-CONTIGUOUS"] = new(() => Save().With(Vram0, _ => Vram(0, 8192, 8192)).With(Vram0 + 1, _ => Vram(0, 0, 8192)).ToBytes()),
    };

    private static ValidationReport Validate(byte[] bytes, Case c, Profile profile = Profile.Strict) =>
        StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = profile, Target = c.SelfDescribed ? null : c.Target ?? T });

    public static IEnumerable<object[]> RuleIds() => Rules.All.Select(r => new object[] { r.Id });

    [Fact]
    public void Every_rule_in_the_catalog_has_vectors_and_no_vector_names_an_unknown_rule()
    {
        Rules.All.Select(r => r.Id).Except(Cases.Keys).ShouldBeEmpty("rules without a vector (and so without a tested implementation)");
        Cases.Keys.Except(Rules.All.Select(r => r.Id)).ShouldBeEmpty("vectors for rules the catalog does not have");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void The_failing_vector_breaks_the_rule_and_the_driver_save_does_not(string ruleId)
    {
        var c = Cases[ruleId];
        var failing = Validate(c.Failing(), c);
        failing.Counts.Keys.ShouldContain(ruleId, string.Join("\n", failing.Diagnostics.Select(d => $"{d.Rule.Id}: {d.Message}")));
        var d = failing.Diagnostics.First(x => x.Rule.Id == ruleId);
        d.Message.ShouldNotBeNullOrWhiteSpace();
        var rule = Rules.Find(ruleId)!;
        d.Severity.ShouldBe(rule.SeverityIn(Profile.Strict));
        if (rule.IsDriverRule) d.ReportedAt.ShouldBe(rule.Reported);

        var passingBytes = c.Passing is null ? Save().ToBytes() : null;
        var passing = c.Passing is null
            ? Validate(passingBytes!, c with { Target = c.SelfDescribed ? null : T })
            : Validate(c.Passing(), c with { Target = T });
        passing.Counts.Keys.ShouldNotContain(ruleId);
    }

    [Fact]
    public void The_driver_save_is_valid_in_both_profiles_without_a_single_diagnostic()
    {
        foreach (var target in new[] { SmallBmg, SmallPtl })
            foreach (var profile in new[] { Profile.Kernel, Profile.Strict })
            {
                var bytes = DriverSave(target).ToBytes();
                var withTarget = StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = profile, Target = target });
                withTarget.Diagnostics.ShouldBeEmpty();
                var self = StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = profile });
                self.Diagnostics.ShouldBeEmpty();
                self.Target.Platform.ShouldBe(target.Platform);
            }
    }

    [Fact]
    public void Strict_only_rules_stay_out_of_the_kernel_profile()
    {
        foreach (var rule in Rules.All.Where(r => !r.AppliesTo(Profile.Kernel)))
        {
            var c = Cases[rule.Id];
            Validate(c.Failing(), c, Profile.Kernel).Counts.Keys.ShouldNotContain(rule.Id);
        }
    }

    [Fact]
    public void What_the_driver_ignores_is_a_warning_in_the_kernel_profile_and_an_error_in_strict()
    {
        var bytes = Cases["XE-TYPE-UNKNOWN"].Failing();
        var kernel = Validate(bytes, Cases["XE-TYPE-UNKNOWN"], Profile.Kernel);
        kernel.Valid.ShouldBeTrue();
        kernel.Diagnostics.Single(d => d.Rule == Rules.XeTypeUnknown).Severity.ShouldBe(Severity.Warning);
        Validate(bytes, Cases["XE-TYPE-UNKNOWN"], Profile.Strict).Valid.ShouldBeFalse();
        Validate(Cases["XE-DESC-KEY"].Failing(), Cases["XE-DESC-KEY"], Profile.Kernel).Valid.ShouldBeTrue();
    }

    [Fact]
    public void Catalog_entries_are_consistent()
    {
        foreach (var r in Rules.All)
        {
            r.Statement.ShouldNotBeNullOrWhiteSpace();
            r.Reference.ShouldNotBeNullOrWhiteSpace();
            (r.ErrnoFor(DriverVersion.Newest) != Errno.None || r.Hazard != DriverHazard.None).ShouldBe(r.IsDriverRule, r.Id);
            if (r.Cause != Errno.None) r.Reported.ShouldBe(ReportedAt.Finish);
            // A driver hazard is an error in every profile, under a severity of its own.
            if (r.Hazard != DriverHazard.None) r.SeverityIn(Profile.Kernel).ShouldBe(Severity.Hazard, r.Id);
            else if (r.AppliesTo(Profile.Kernel)) r.SeverityIn(Profile.Kernel).ShouldNotBe(Severity.Hazard, r.Id);
            r.Reference.ShouldNotContain("facts", Shouldly.Case.Sensitive, r.Id);
        }
        Rules.XeDescKlv.ErrnoFor(DriverVersion.V6_19).ShouldBe(Errno.EINVAL);
        Rules.XeDescKlv.ErrnoFor(DriverVersion.Newest).ShouldBe(Errno.ENODATA);
    }
}
