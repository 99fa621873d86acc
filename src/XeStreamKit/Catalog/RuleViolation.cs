using XeStreamKit.Format;

namespace XeStreamKit.Catalog;

/// <summary>
/// A stream breaking a rule at a point: which rule, what user space would see (errno and when),
/// which packet and where. For a restore that fails because a GT failed earlier, <see cref="Cause"/>
/// is the packet that made the GT fail.
/// </summary>
public sealed record RuleViolation(RuleInfo Rule, Errno Errno, ReportedAt At, long PacketIndex, long StreamOffset, PacketType? PacketType, string Message)
{
    /// <summary>Absolute offset of the packet's header (StreamOffset points at the offending field).</summary>
    public long PacketOffset { get; init; } = StreamOffset;

    /// <summary>The earlier violation this one follows from (a failed GT), if any.</summary>
    public RuleViolation? Cause { get; init; }

    /// <summary>The error the driver hits internally (the GT worker's errno for deferred rules).</summary>
    public Errno InternalErrno => Rule.Cause != Errno.None ? Rule.Cause : Errno;

    /// <summary>What the driver does beyond an errno: a kernel oops or a hang (from the rule).</summary>
    public DriverHazard Hazard => Rule.Hazard;

    /// <summary>For a hazard, the kernel function where it strikes (file@commit:function), for the
    /// driver version of the restore.</summary>
    public string? KernelFunction { get; init; }
}
