using XeStreamKit.Catalog;

namespace XeStreamKit.Validation;

/// <summary>One finding of a validation: rule, severity in the profile, where, what.</summary>
public sealed record Diagnostic(RuleInfo Rule, Severity Severity, long StreamOffset, long PacketIndex, string Message)
{
    /// <summary>For driver rules: what user space sees.</summary>
    public Errno Errno { get; init; }

    /// <summary>For driver rules: when user space sees it.</summary>
    public ReportedAt ReportedAt { get; init; }

    /// <summary>For deferred rules: the error the GT worker hits.</summary>
    public Errno Cause => Rule.Cause;

    /// <summary>For hazard rules: the kernel oops or hang, and where it strikes.</summary>
    public DriverHazard Hazard => Rule.Hazard;

    /// <summary>For hazard rules: the kernel function (file@commit:function).</summary>
    public string? KernelFunction { get; init; }
}
