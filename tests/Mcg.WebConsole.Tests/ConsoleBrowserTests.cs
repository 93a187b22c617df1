using System.Text.Json.Nodes;
using Mcg.WebConsole.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Mcg.WebConsole.Tests;

/// <summary>
/// The console in headless Debian Chromium driven by Playwright: log in with the hub token, check the overview's
/// counts against the API, click Sync on an OutOfSync application and watch it turn Synced without a reload.
/// Screenshots are saved under the test output's <c>artifacts/</c>.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleFixture fx, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task LogInSeeTheOverviewAndSyncAnOutOfSyncAppWithoutReloading()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the console's browser test");
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--headless"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(60_000);

        // Not logged in: the login page. A wrong token is refused, the hub token lets us in.
        await page.GotoAsync(fx.Url);
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#token", "wrong-token");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("rejected");
        await page.FillAsync("#token", fx.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(fx.Url);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");

        // The overview's counts are the API's (read through the hub API here, independently of the console).
        await fx.WaitAsync(async () =>
        {
            var apps = (JsonNode.Parse((await fx.Hub.RunAsync("get applications.argoproj.io -A -o json")).Ok().Out)!["items"] as JsonArray)!;
            var clusters = (JsonNode.Parse((await fx.Hub.RunAsync("get managedclusters -o json")).Ok().Out)!["items"] as JsonArray)!;
            var synced = apps.Count(a => a?["status"]?["sync"]?["status"]?.ToString() == "Synced");
            return await TileAsync(page, "apps-synced") == $"{synced}/{apps.Count}" && (await TileAsync(page, "clusters")).EndsWith($"/{clusters.Count}", StringComparison.Ordinal);
        }, "the overview tiles show the API's counts");
        await Assertions.Expect(page.Locator("[data-cloud=AWS] .num")).ToHaveTextAsync("1/1");
        await Save(page, artifacts, "console-overview.png");

        await page.ClickAsync("nav >> text=Governance");
        await Assertions.Expect(page.Locator("table.matrix")).ToContainTextAsync("policies/demo-namespace");
        await Save(page, artifacts, "console-governance.png");

        // The manual-sync app is OutOfSync; Sync it and watch the page turn Synced with no reload.
        await page.ClickAsync("nav >> text=Applications");
        await page.ClickAsync("a:text-is('guestbook')");
        await Assertions.Expect(page.Locator("h1 .status-line")).ToContainTextAsync("OutOfSync");
        await Save(page, artifacts, "console-app-outofsync.png");
        await page.EvaluateAsync("() => { window.__noReload = true; }");
        await page.ClickAsync("button[data-verb=sync]");
        await Assertions.Expect(page.Locator("#flash")).ToContainTextAsync("Sync of guestbook requested");
        await Assertions.Expect(page.Locator("h1 .status-line .badge").First).ToHaveTextAsync("Synced", new() { Timeout = 90_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page reloaded: the update must arrive over server-sent events");
        await Assertions.Expect(page.Locator("[data-resource='ConfigMap/greeting']")).ToContainTextAsync("Synced");
        await Assertions.Expect(page.Locator("table").Last).ToContainTextAsync(fx.Repo.Git("rev-parse", "--short=7", "HEAD").Trim());
        Assert.Equal("Synced", await fx.AppSyncAsync("guestbook"));
        await Save(page, artifacts, "console-app-synced.png");

        // The drifted app's live diff, and the clusters.
        await page.GotoAsync(new Uri(new Uri(fx.Url), "/apps/argocd/drift").ToString());
        await page.ClickAsync("a[data-diff]");
        await Assertions.Expect(page.Locator("pre.diff", new() { HasText = "+   mode: git" })).ToBeVisibleAsync();
        await Save(page, artifacts, "console-app-diff.png");
        await page.ClickAsync("nav >> text=Clusters");
        await page.ClickAsync("a:text-is('aws-1')");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Cluster aws-1");
        await Save(page, artifacts, "console-cluster.png");
    }

    private static async Task<string> TileAsync(IPage page, string tile) =>
        (await page.Locator($"[data-tile={tile}] .num").TextContentAsync())?.Trim() ?? "";

    private async Task Save(IPage page, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
