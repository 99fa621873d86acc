using XeStreamKit.Catalog;
using XeStreamKit.Driver;

namespace XeStreamKit.Compatibility;

/// <summary>Whether a stream restores on a target, and if not, how it fails.</summary>
public sealed record CompatibilityResult(TargetProfile Target, RuleViolation? Failure, IReadOnlyList<RuleViolation> Warnings, long Packets, long Bytes)
{
    /// <summary>Warnings seen beyond <see cref="CompatibilityCheck.MaxWarnings"/>, counted and not kept.</summary>
    public long WarningsDropped { get; init; }

    /// <summary>True when the driver would accept the whole restore.</summary>
    public bool Compatible => Failure is null;

    /// <summary>The errno user space sees, or <see cref="Errno.None"/>.</summary>
    public Errno Errno => Failure?.Errno ?? Errno.None;

    /// <summary>A kernel oops or a hang the image causes; never compatible.</summary>
    public DriverHazard Hazard => Failure?.Hazard ?? DriverHazard.None;

    /// <summary><c>accepted</c>, <c>errno</c>, <c>kernel-oops</c> or <c>hang</c>.</summary>
    public string Outcome => Failure is null ? "accepted" : HazardText.Outcome(Hazard);

    /// <summary>One line: what breaks and what user space sees, e.g.
    /// <c>descriptor devid 0xE20B != target 0xE211: restore write() of packet #0 (offset 0x0) fails with ENODEV</c>.</summary>
    public string Reason => Failure is null ? $"restores on {Target.Describe()}" : Explain(Failure);

    /// <summary>How user space experiences <paramref name="v"/>.</summary>
    public static string Explain(RuleViolation v)
    {
        var errno = ErrnoText.Name(v.Errno);
        if (v.Hazard != DriverHazard.None)
            return $"DRIVER HAZARD {HazardText.Outcome(v.Hazard)}: {v.Message}: restore write() of packet #{v.PacketIndex} (offset 0x{v.PacketOffset:X}) leads to a {HazardText.Phrase(v.Hazard)} in {v.KernelFunction}"
                + (v.Errno == Errno.None ? "" : v.At == ReportedAt.Write ? $" (the write() itself fails with {errno})" : $" (user space sees {errno} when leaving RESUMING)")
                + $"; {HazardText.Aftermath(v.Hazard)}";
        return v.At switch
        {
            ReportedAt.Write => $"{v.Message}: restore write() of packet #{v.PacketIndex} (offset 0x{v.PacketOffset:X}) fails with {errno}",
            ReportedAt.Setup => $"{v.Message}: entering RESUMING fails with {errno}",
            _ when v.Cause is { } c => $"{c.Message}: the GT worker fails packet #{c.PacketIndex} (offset 0x{c.PacketOffset:X}) with {ErrnoText.Name(c.InternalErrno)}, so leaving RESUMING fails with {errno}",
            _ => $"{v.Message}: leaving RESUMING fails with {errno}",
        };
    }
}

/// <summary>
/// Predicts a restore offline: the stream is written through the <see cref="KernelRestoreModel"/>
/// of the target exactly as a VMM would write the data fd, then RESUMING is left. The first
/// failure - on setup, on a write, or at finish - is the answer.
/// </summary>
public static class CompatibilityCheck
{
    /// <summary>Warnings kept (data the driver silently drops, unknown KLVs, ...).</summary>
    public const int MaxWarnings = 100;

    /// <summary>Checks <paramref name="source"/> from its current position against <paramref name="target"/>.</summary>
    public static CompatibilityResult Check(Stream source, TargetProfile target, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var warnings = new WarningCollector();
        var model = new KernelRestoreModel(target, observer: warnings);
        var failure = model.Setup() ?? RestorePump.Run(source, model, progress) ?? model.Finish();
        return new CompatibilityResult(target, failure, warnings.Warnings, model.PacketCount, model.Position) { WarningsDropped = warnings.Dropped };
    }

    internal sealed class WarningCollector : IRestoreObserver
    {
        public List<RuleViolation> Warnings { get; } = [];

        public long Dropped { get; private set; }

        public void OnViolation(RuleViolation violation)
        {
            if (violation.Rule.IsDriverRule) return;
            if (Warnings.Count < MaxWarnings) Warnings.Add(violation);
            else Dropped++;
        }
    }
}
