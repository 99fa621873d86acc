using PuppeteerSharp;
using Xunit.Abstractions;

namespace XeStreamKit.Tests.Report;

/// <summary>
/// The report as a person sees it, in a real headless Chromium: the page loads without a console
/// error or a request leaving the file, the stream map, the VRAM map and the QEMU bar are drawn
/// and visible, a packet box leads to its row. Each test saves a screenshot under the test output
/// (<c>report-screenshots/</c>). One browser for the class.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportBrowserTests : IClassFixture<BrowserFixture>, IClassFixture<ReportFiles>
{
    private readonly BrowserFixture _browser;
    private readonly ReportFiles _files;
    private readonly ITestOutputHelper _output;
    private readonly Dictionary<IPage, List<string>> _problems = [];

    public ReportBrowserTests(BrowserFixture browser, ReportFiles files, ITestOutputHelper output)
    {
        _browser = browser;
        _files = files;
        _output = output;
    }

    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "report-screenshots");

    [BrowserFact]
    public async Task Valid_bmg_image_renders_its_maps_and_boxes_lead_to_rows()
    {
        var (html, run) = _files.Report("valid", ReportImages.ValidBmg(), null, "--target", ReportImages.ValidTarget);
        run.ExitCode.ShouldBe(0, run.StdErr);
        await using var page = await Open(html);
        await ShouldBeVisible(page, "#stream-map");
        await ShouldBeVisible(page, "#vram-tile0");
        (await page.QuerySelectorAllAsync("#stream-map a.pkt")).Length.ShouldBe(8);
        await ShouldBeVisible(page, "#vram-tile0 a.chunk rect");

        await page.ClickAsync("#stream-map a.pkt[data-type=mmio]");
        (await page.EvaluateExpressionAsync<string>("location.hash")).ShouldBe("#p3");
        (await page.EvaluateExpressionAsync<string>("getComputedStyle(document.querySelector('#p3')).backgroundColor")).ShouldBe("rgb(255, 243, 176)");
        await Screenshot(page, "valid", fullPage: true);
    }

    [BrowserFact]
    public async Task Image_with_holes_and_errors_shows_them_where_they_are()
    {
        var (html, run) = _files.Report("broken", ReportImages.GapsAndErrors(), null, "--target", ReportImages.BrokenTarget, "--target", "ptl", "--profile", "strict");
        run.ExitCode.ShouldBe(2, run.StdErr);
        await using var page = await Open(html);
        await ShouldBeVisible(page, ".problems");
        await ShouldBeVisible(page, "#vram-tile0 rect.gap");
        await ShouldBeVisible(page, "#vram-tile0 rect.overlap");
        await ShouldBeVisible(page, "#vram-tile0 rect.past");
        // The flagged boxes carry the red mark; a diagnostic's packet link scrolls to its row.
        (await page.QuerySelectorAllAsync("#stream-map a.pkt rect[stroke='#c62828']")).Length.ShouldBeGreaterThanOrEqualTo(3);
        var gap = await (await page.QuerySelectorAsync("#vram-tile0 rect.gap"))!.BoundingBoxAsync();
        gap!.Width.ShouldBeGreaterThan(100m); // a quarter of the 4 MiB line: seen at a glance
        await page.ClickAsync("tr.diag td:nth-child(3) a");
        var hash = await page.EvaluateExpressionAsync<string>("location.hash");
        hash.ShouldStartWith("#p");
        (await page.EvaluateExpressionAsync<bool>($"(() => {{ const r = document.getElementById('{hash[1..]}').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }})()")).ShouldBeTrue();
        // The top of the page as README shows it (docs/report.png): no hover, no scroll.
        await page.Mouse.MoveAsync(1270, 990);
        await page.EvaluateExpressionAsync("window.scrollTo(0, 0)");
        await Screenshot(page, "broken", fullPage: false, height: 900);
        await Screenshot(page, "broken-full", fullPage: true);
    }

    [BrowserFact]
    public async Task Qemu_file_renders_its_records_and_the_device_stream()
    {
        var (html, run) = _files.Report("qemu", ReportImages.QemuWithDevice());
        run.ExitCode.ShouldBe(0, run.StdErr);
        await using var page = await Open(html);
        await ShouldBeVisible(page, "#qemu-map");
        await ShouldBeVisible(page, "#stream-map");
        (await page.QuerySelectorAllAsync("table.qemu tr")).Length.ShouldBeGreaterThan(8);
        await Screenshot(page, "qemu", fullPage: true);

        var (fixture, fixtureRun) = _files.Report("fixture", null, ReportImages.QemuFixture);
        fixtureRun.ExitCode.ShouldBe(2, fixtureRun.StdErr);
        await using var second = await Open(fixture);
        await ShouldBeVisible(second, "#qemu-map");
        await Screenshot(second, "qemu-fixture", fullPage: true);
    }

    /// <summary>Opens <paramref name="path"/> in a new tab; fails on any console error, page error or request that is not the file itself.</summary>
    private async Task<IPage> Open(string path)
    {
        var page = await _browser.Browser!.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type is ConsoleType.Error or ConsoleType.Warning) problems.Add($"console {e.Message.Type}: {e.Message.Text}");
        };
        page.PageError += (_, e) => problems.Add($"page error: {e.Message}");
        var url = new Uri(path).AbsoluteUri;
        page.Request += (_, e) =>
        {
            if (e.Request.Url != url && !e.Request.Url.StartsWith(url + "#", StringComparison.Ordinal)) problems.Add($"request: {e.Request.Url}");
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 1000 });
        var response = await page.GoToAsync(url, WaitUntilNavigation.Load);
        response.Ok.ShouldBeTrue();
        problems.ShouldBeEmpty();
        _problems[page] = problems;
        return page;
    }

    private static async Task ShouldBeVisible(IPage page, string selector)
    {
        var element = await page.QuerySelectorAsync(selector);
        element.ShouldNotBeNull($"{selector} is missing");
        (await element.IsVisibleAsync()).ShouldBeTrue($"{selector} is not visible");
        var box = await element.BoundingBoxAsync();
        box.ShouldNotBeNull($"{selector} has no box");
        (box.Width * box.Height).ShouldBeGreaterThan(0m, $"{selector} has no area");
    }

    private async Task Screenshot(IPage page, string name, bool fullPage, int? height = null)
    {
        Directory.CreateDirectory(ScreenshotDir);
        var path = Path.Combine(ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(path, new ScreenshotOptions
        {
            FullPage = fullPage,
            Clip = height is { } h ? new PuppeteerSharp.Media.Clip { X = 0, Y = 0, Width = 1280, Height = h } : null,
        });
        // Whatever happened since the page loaded (hovering, clicking, scrolling) was clean too.
        _problems[page].ShouldBeEmpty();
        new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
        _output.WriteLine($"screenshot: {path}");
    }
}
