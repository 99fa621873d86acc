using PuppeteerSharp;

namespace XeStreamKit.Tests.Report;

/// <summary>
/// Debian's Chromium, launched once for a test class and driven with PuppeteerSharp pointed at the
/// executable (nothing is downloaded): headless, no sandbox (CI runs as root), no GPU, and nothing
/// that reaches the network on its own; a fresh profile directory each time.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Overrides where Chromium is (default /usr/bin/chromium).</summary>
    public const string Variable = "XSK_CHROMIUM";

    private string? _profile;

    public IBrowser? Browser { get; private set; }

    /// <summary>The Chromium executable, or null when there is none.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? (File.Exists(path) ? path : null)
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;

    /// <summary>Why browser tests cannot run here, or null.</summary>
    public static string? SkipReason => Executable is null
        ? $"no Chromium: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set {Variable}=/path/to/chromium"
        : null;

    public async Task InitializeAsync()
    {
        if (Executable is not { } exe) return;
        _profile = Directory.CreateTempSubdirectory("xsk-chromium-").FullName;
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = exe,
            Headless = true,
            UserDataDir = _profile,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={_profile}",
            ],
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Browser?.Dispose();
        if (_profile is not null)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be writing to its profile while it exits; it is in the temp directory.
            }
        }
    }
}

/// <summary>A [Fact] that needs Chromium; without it the test is reported as skipped, with the reason.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = BrowserFixture.SkipReason;
}

/// <summary>Browser tests run alone, after the parallel ones: Chromium's processes would otherwise
/// compete on a small machine with the suite's timed tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
