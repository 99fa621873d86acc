using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Harness.Corpus;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Validation;
using static XeStreamKit.Tests.Support.PacketList;
using static XeStreamKit.Tests.Support.SmallBmgSave;

namespace XeStreamKit.Tests.Compatibility;

/// <summary>
/// The restore error table of docs/driver.md#error-table, row by row, through <c>compat</c>'s
/// prediction: the errno, when user space sees it, and from which packet.
/// </summary>
public class DriverErrorTableTests
{
    private static readonly TargetProfile T = SmallBmg;

    private static CompatibilityResult Check(byte[] bytes, TargetProfile? target = null) =>
        CompatibilityCheck.Check(new MemoryStream(bytes), target ?? T);

    public static TheoryData<string, byte[], string, string, long, string> Rows() => new()
    {
        // row, stream, errno, reported at, packet index, rule
        { "version != 1", Save().With(Mmio0, _ => Mmio(0, 8) with { Version = 0 }).ToBytes(), "EINVAL", "write", Mmio0, "XE-HDR-VERSION" },
        { "version != 1, GT already failed", Save().With(Mmio1, _ => Mmio(1, 8)).Inserting(Mmio1 + 1, Guc(1) with { Version = 2 }).ToBytes(), "EIO", "write", Mmio1 + 1, "XE-GT-FAILED" },
        { "VRAM size wraps when page-aligned", Save().With(Vram0, p => p with { SizeOverride = ulong.MaxValue }).ToBytes(), "EINVAL", "write", Vram0, "XE-HDR-VRAM-WRAP" },
        { "GuC of 1-3 bytes", [.. Save().Take(Trl).ToBytes(), .. Guc(1, 2).ToBytes(), .. Trailer().ToBytes()], "EIO", "finish", Trl, "XE-GUC-DWORDS" },
        { "gt_id not a GT", Save().With(Guc1, p => p with { Gt = 2 }).ToBytes(), "EINVAL", "write", Guc1, "XE-HDR-GT" },
        { "payload allocation fails", Save().With(Guc0, p => p with { SizeOverride = 3UL << 30 }).ToBytes(), "ENOMEM", "write", Guc0, "XE-HDR-ALLOC" },
        { "type 0", Save().With(Guc0, p => p with { Type = 0 }).ToBytes(), "EINVAL", "write", Guc0, "XE-HDR-TYPE" },
        { "tile/GT mismatch", Save().With(Mmio0, p => p with { Tile = 1 }).ToBytes(), "EINVAL", "write", Mmio0, "XE-HDR-TILE" },
        { "descriptor tile/gt != 0", Save().With(Desc, p => p with { Tile = 1 }).ToBytes(), "EINVAL", "write", Desc, "XE-DESC-ROUTE" },
        { "descriptor size % 4", Save().With(Desc, p => p with { Payload = [.. p.Payload, 9] }).ToBytes(), "EINVAL", "write", Desc, "XE-DESC-DWORDS" },
        { "truncated KLV", Save().With(Desc, _ => new PacketEdit(PacketType.Descriptor, 0, 0, PacketEdit.Dwords(0xF0010002, 0xE20B))).ToBytes(), "ENODATA", "write", Desc, "XE-DESC-KLV" },
        { "devid mismatch", Save().With(Desc, _ => Descriptor(0xE211, 0)).ToBytes(), "ENODEV", "write", Desc, "XE-DESC-DEVID" },
        { "revid mismatch", Save().With(Desc, _ => Descriptor(0xE20B, 3)).ToBytes(), "ENODEV", "write", Desc, "XE-DESC-REVID" },
        { "trailer with non-zero tile/gt", Save().With(Trl, p => p with { Tile = 1 }).ToBytes(), "EINVAL", "write", Trl, "XE-TRL-ROUTE" },
        { "trailer with non-zero offset/size", Save().With(Trl, p => p with { Payload = [0, 0, 0, 0] }).ToBytes(), "EINVAL", "write", Trl, "XE-TRL-EMPTY" },
        { "GT already failed", Save().With(Mmio0, _ => Mmio(0, 8)).ToBytes(), "EIO", "write", Mmio0 + 1, "XE-GT-FAILED" },
        { "GGTT size mismatch", Save().With(Ggtt0, _ => Ggtt(0, 5)).ToBytes(), "EIO", "write", Ggtt0 + 1, "XE-GT-FAILED" },
        { "GGTT with no node", [.. Save().Take(Trl).ToBytes(), .. Ggtt(1, 4).ToBytes(), .. Trailer().ToBytes()], "EIO", "finish", Trl, "XE-GGTT-NODE" },
        { "MMIO size != 16", Save().With(Mmio1, _ => Mmio(1, 20)).ToBytes(), "EIO", "finish", Mmio1, "XE-MMIO-SIZE" },
        { "VRAM out of bounds", Save().With(Vram0 + 1, _ => Vram(0, 12288, 8192)).ToBytes(), "EIO", "finish", Vram0 + 1, "XE-VRAM-BOUNDS" },
        { "VRAM without LMEM", [.. Save().Take(Trl).ToBytes(), .. Vram(1, 0, 4096).ToBytes(), .. Trailer().ToBytes()], "EIO", "finish", Trl, "XE-VRAM-LMEM" },
        { "GuC empty", [.. Save().Take(Trl).ToBytes(), .. Guc(1, 0).ToBytes(), .. Trailer().ToBytes()], "EIO", "finish", Trl, "XE-GUC-EMPTY" },
        { "GuC empty, then more for that GT", Save().With(Guc1, _ => Guc(1, 0)).ToBytes(), "EIO", "write", Guc1 + 1, "XE-GT-FAILED" },
        { "missing trailer", Save().Take(Trl).ToBytes(), "ETIMEDOUT", "finish", -1, "XE-TRL-MISSING" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Compat_reproduces_the_row(string row, byte[] stream, string errno, string at, long packet, string rule)
    {
        var r = Check(stream);
        r.Compatible.ShouldBeFalse(row);
        var f = r.Failure!;
        (ErrnoText.Name(f.Errno), At(f.At), f.PacketIndex, f.Rule.Id).ShouldBe((errno, at, packet, rule), row + ": " + r.Reason);
    }

    private static string At(ReportedAt at) => at.ToString().ToLowerInvariant();

    [Fact]
    public void Validation_records_the_outcome_compat_predicts()
    {
        // The rows, plus one whose first error in stream order (GT 1's MMIO size) is not what
        // leaving RESUMING reports (GT 0 times out first: no trailer).
        var streams = Rows().Select(r => (byte[])r[1]).Append(Save().With(7, _ => Mmio(1, 12)).Take(8).Bytes()).Append(Save().Bytes());
        foreach (var bytes in streams)
        {
            var expected = Check(bytes).Failure;
            var report = StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Target = T });
            var got = report.DriverOutcome;
            (got?.Rule, got?.Errno, got?.At, got?.PacketIndex, got?.Message).ShouldBe((expected?.Rule, expected?.Errno, expected?.At, expected?.PacketIndex, expected?.Message));
            report.Valid.ShouldBe(expected is null);
        }
    }

    [Fact]
    public void An_async_failure_names_its_cause_and_surfaces_when_leaving_resuming()
    {
        var r = Check(Save().With(Mmio1, _ => Mmio(1, 20)).ToBytes());
        r.Failure!.Cause!.Rule.ShouldBe(Rules.XeMmioSize);
        r.Failure.Cause.InternalErrno.ShouldBe(Errno.EINVAL);
        r.Reason.ShouldBe("MMIO payload is 20 bytes, not 16: the GT worker fails packet #7 (offset 0x4168) with EINVAL, so leaving RESUMING fails with EIO");
    }

    [Fact]
    public void The_devid_mismatch_message_is_the_documented_one()
    {
        var r = Check(Save().ToBytes(), T with { DeviceId = 0xE211 });
        r.Reason.ShouldBe("descriptor devid 0xE20B != target 0xE211: restore write() of packet #0 (offset 0x0) fails with ENODEV");
    }

    [Fact]
    public void What_the_driver_ignores_restores_with_a_warning()
    {
        var unknown = Check(Save().Inserting(Desc + 1, new PacketEdit((PacketType)7, 0, 1, [1, 2])).ToBytes());
        unknown.Compatible.ShouldBeTrue();
        unknown.Warnings.Single().Rule.ShouldBe(Rules.XeTypeUnknown);

        var afterTrailer = Check([.. Save().ToBytes(), .. Mmio(1).ToBytes()]);
        afterTrailer.Compatible.ShouldBeTrue();
        afterTrailer.Warnings.Single().Message.ShouldBe("GT 1 data after the trailer is queued and never applied (1 of 5 ring slots used)");

        var noDescriptor = Check(Save().Without(Desc).ToBytes());
        noDescriptor.Compatible.ShouldBeTrue();

        var flags = Check(Save().With(Guc0, p => p with { Flags = 0xFFFF }).ToBytes());
        flags.Compatible.ShouldBeTrue();

        var unknownKey = Check(Save().With(Desc, p => p with { Payload = [.. p.Payload, .. PacketEdit.Klvs((0xF0AB, [7]))] }).ToBytes());
        unknownKey.Compatible.ShouldBeTrue();
        unknownKey.Warnings.Single().Rule.ShouldBe(Rules.XeDescKey);
    }

    [Fact]
    public void A_target_without_migration_support_refuses_resuming_with_enotty()
    {
        var r = Check(Save().ToBytes(), T with { Guc = (70, 53, 0) });
        (r.Failure!.Errno, r.Failure.At).ShouldBe((Errno.ENOTTY, ReportedAt.Setup));
        r.Reason.ShouldBe("migration is not available on the target: GuC 70.53.0 is older than 70.54.0: entering RESUMING fails with ENOTTY");
        Check(Save().ToBytes(), T with { Guc = (70, 54, 0) }).Compatible.ShouldBeTrue();
        Check(Save().ToBytes(), T with { MemoryIrq = false }).Failure!.Errno.ShouldBe(Errno.ENOTTY);
    }

    [Fact]
    public void Driver_versions_disagree_on_a_mismatch_ahead_of_a_truncated_klv()
    {
        // DEVID mismatch in KLV #0, then a KLV claiming 2 dwords with 1 present.
        var descriptor = new PacketEdit(PacketType.Descriptor, 0, 0, [.. PacketEdit.Klvs((0xF001, [0xE211])), .. PacketEdit.Dwords(0xF0020002, 0)]);
        var bytes = Save().With(Desc, _ => descriptor).ToBytes();
        Check(bytes, T with { Driver = DriverVersion.V6_19 }).Failure!.Errno.ShouldBe(Errno.ENODEV);
        Check(bytes, T with { Driver = DriverVersion.Newest }).Failure!.Errno.ShouldBe(Errno.ENODATA);
        var truncatedOnly = Save().With(Desc, _ => new PacketEdit(PacketType.Descriptor, 0, 0, [.. PacketEdit.Klvs((0xF001, [0xE20B])), .. PacketEdit.Dwords(0xF0020002, 0)])).ToBytes();
        Check(truncatedOnly, T with { Driver = DriverVersion.V6_19 }).Failure!.Errno.ShouldBe(Errno.EINVAL);
    }

    [Fact]
    public void A_devid_klv_of_length_0_is_compared_with_the_dword_after_its_header()
    {
        // DEVID len 0 followed by REVID: the driver compares the REVID header dword 0xF0020001 with the devid.
        var descriptor = new PacketEdit(PacketType.Descriptor, 0, 0, [.. PacketEdit.Dwords(0xF0010000), .. PacketEdit.Klvs((0xF002, [0]))]);
        var r = Check(Save().With(Desc, _ => descriptor).ToBytes());
        r.Failure!.Rule.ShouldBe(Rules.XeDescDevid);
        r.Failure.Message.ShouldBe("descriptor devid 0xF0020001 != target 0xE20B");
    }

    [Fact]
    public void Packets_after_a_failed_write_are_refused()
    {
        var model = new KernelRestoreModel(T);
        var bad = Save().With(Desc, _ => Descriptor(0xE211, 0)).ToBytes();
        var first = model.Write(bad);
        first!.Errno.ShouldBe(Errno.ENODEV);
        model.Write(Trailer().ToBytes()).ShouldBeSameAs(first);
        model.Finish().ShouldBeSameAs(first);
    }

    [Fact]
    public void Any_split_of_the_writes_gives_the_same_outcome()
    {
        var vectors = Rows().Select(r => (byte[])r[1]).Append(Save().ToBytes()).ToArray();
        var arb = (from v in Gen.Choose(0, vectors.Length - 1) from seed in Gen.Choose(0, int.MaxValue) select (v, seed)).ToArbitrary();
        Prop.ForAll(arb, input =>
        {
            var bytes = vectors[input.v];
            var expected = Check(bytes);
            var model = new KernelRestoreModel(T);
            var rng = new Random(input.seed);
            RuleViolation? failure = null;
            for (var at = 0; at < bytes.Length && failure is null;)
            {
                var n = Math.Min(rng.Next(1, 40), bytes.Length - at);
                failure = model.Write(bytes.AsSpan(at, n));
                at += n;
            }
            failure ??= model.Finish();
            (failure?.Rule, failure?.Errno, failure?.At, failure?.PacketIndex).ShouldBe((expected.Failure?.Rule, expected.Failure?.Errno, expected.Failure?.At, expected.Failure?.PacketIndex));
        }).Check(PropertyConfig.Quick(150));
    }
}
