using System.CommandLine;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>Options several verbs share, built in one place so their names, values and defaults
/// stay one vocabulary (README, "Options").</summary>
public static class CommonOptions
{
    /// <summary><c>--profile kernel|strict</c> (default kernel).</summary>
    public static Option<string> Profile()
    {
        var profile = new Option<string>("--profile") { Description = "kernel: what the driver rejects on restore; strict: also what a save from the driver looks like", DefaultValueFactory = _ => "kernel" };
        profile.AcceptOnlyFromAmong("kernel", "strict");
        return profile;
    }

    /// <summary><c>--driver 6.19|newest</c> (default newest).</summary>
    public static Option<string> Driver(string description = "Driver version whose behaviour to apply (6.19 or newest)")
    {
        var driver = new Option<string>("--driver") { Description = description, DefaultValueFactory = _ => "newest" };
        driver.AcceptOnlyFromAmong("6.19", "newest");
        return driver;
    }

    /// <summary><c>--vf &lt;n&gt;</c> for <c>host:&lt;BDF&gt;</c> targets.</summary>
    public static Option<uint?> Vf() => new("--vf") { Description = "VF number for host:<BDF> targets" };
}
