using FsCheck;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// FsCheck settings. Runs are reproducible by default (a fixed seed, so CI cannot flake);
/// set XSK_PROPERTY_SEED=random to explore new cases, or to a number to replay a run.
/// A failure prints the seed and the shrunk counterexample.
/// </summary>
public static class PropertyConfig
{
    public static Config Quick(int maxTest = 250)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest);
        var setting = Environment.GetEnvironmentVariable("XSK_PROPERTY_SEED");
        if (setting == "random") return config;
        var seed = ulong.TryParse(setting, out var s) ? s : 0x5EED_0000_0000_0001UL;
        return config.WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), null));
    }
}
