using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.ApiServer.Tests.Support;
using Mcg.WebConsole.Tests.Support;

namespace Mcg.WebConsole.Tests;

/// <summary>The console over HTTP against a real hub: authentication, CSRF, counts, secrecy, metrics and live events.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ConsoleHttpTests(ConsoleFixture fx)
{
    private static readonly string[] Pages = ["/", "/clusters", "/clusters/aws-1", "/clusters/gcp-2", "/apps", "/apps/argocd/guestbook", "/apps/argocd/secret-demo", "/apps/argocd/drift/diff", "/governance", "/secrets"];

    [Fact]
    public async Task EveryPageAndEndpointRequiresLogin()
    {
        using var client = fx.NewClient(out _);
        foreach (var page in Pages)
        {
            var response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login", response.Headers.Location?.OriginalString);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/?fragment=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/overview")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/events?watch=applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/apps/argocd/guestbook/sync", new FormUrlEncodedContent([]))).StatusCode);
        var login = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("name=\"token\"", await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AWrongTokenIsRejectedAndGetsNoSession()
    {
        using var client = fx.NewClient(out var cookies);
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "not-the-hub-token" }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("The hub rejected this token (401)", await response.Content.ReadAsStringAsync());
        Assert.Empty(cookies.GetAllCookies());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task TheSessionCookieIsHttpOnlyAndSameSiteStrict()
    {
        using var client = fx.NewClient(out _);
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = fx.Token }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fx.Token, cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task OverviewCountsMatchTheApi()
    {
        using var client = await fx.LoginAsync();
        // The fleet moves (leases, syncs): compare snapshots until a page and the API agree.
        string last = "";
        await fx.WaitAsync(async () =>
        {
            var expected = await ExpectedCountsAsync();
            var json = JsonNode.Parse(await client.GetStringAsync("/api/overview"))!;
            var html = await client.GetStringAsync("/");
            var served = new Dictionary<string, (int, int)>
            {
                ["clusters"] = Tally(json["clustersAvailable"]),
                ["apps-synced"] = Tally(json["appsSynced"]),
                ["apps-healthy"] = Tally(json["appsHealthy"]),
                ["policies"] = Tally(json["policiesCompliant"]),
            };
            var tiles = served.Keys.ToDictionary(k => k, k => TileOf(html, k));
            last = $"api {Show(expected)}, /api/overview {Show(served)}, page {Show(tiles)}";
            return expected.All(e => served[e.Key] == e.Value && tiles[e.Key] == e.Value);
        }, "the overview counts equal the API's", 60).ContinueWith(t => Assert.True(t.IsCompletedSuccessfully, last + t.Exception?.Message));

        var overview = JsonNode.Parse(await client.GetStringAsync("/api/overview"))!;
        Assert.Equal((1, 1), Tally(overview["clustersByCloud"]!["AWS"]));
        Assert.Equal(1, Tally(overview["clustersByCloud"]!["GCP"]).Item2);
    }

    [Fact]
    public async Task NoPageEverShowsASecretValue()
    {
        // The Secret is really there on aws-1, with the value...
        var cluster = new Kubectl(fx.Fleet.Clusters["aws-1"].KubeconfigPath);
        await fx.WaitAsync(async () => (await cluster.RunAsync("-n demo get secret demo-credentials -o jsonpath={.data.password}")).Out.Trim()
            == Convert.ToBase64String(Encoding.UTF8.GetBytes(fx.SecretValue)), "the Secret is on aws-1");
        using var client = await fx.LoginAsync();
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(fx.SecretValue));
        var appPage = await client.GetStringAsync("/apps/argocd/secret-demo");
        Assert.Contains("demo-credentials", appPage); // ...the console names it...
        var diff = await client.GetStringAsync("/apps/argocd/drift/diff");
        Assert.Contains("<h2>Secret console-drift/drift-credentials</h2>", diff); // (the live diff, too, but masked as Argo CD does)
        Assert.Matches("<span class=\"add\">\\+   password: '?\\+{9}'?</span>", diff);
        foreach (var page in Pages.Concat(Pages.Select(p => p + "?fragment=1")).Append("/api/overview"))
        {
            var body = await client.GetStringAsync(page);
            Assert.DoesNotContain(fx.SecretValue, body, StringComparison.Ordinal); // ...and never shows its value
            Assert.DoesNotContain(b64, body, StringComparison.Ordinal);
            Assert.DoesNotContain(fx.Token, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheLiveDiffShowsWhatASyncWouldChange()
    {
        using var client = await fx.LoginAsync();
        await fx.WaitAsync(async () => await fx.AppSyncAsync("drift") == "OutOfSync", "drift is OutOfSync");
        var page = await client.GetStringAsync("/apps/argocd/drift");
        Assert.Contains("href=\"/apps/argocd/drift/diff\"", page);
        var diff = await client.GetStringAsync("/apps/argocd/drift/diff");
        Assert.Contains("<h2>ConfigMap console-drift/settings</h2>", diff);
        Assert.Contains("<span class=\"del\">-   mode: live</span>", diff);
        Assert.Contains("<span class=\"add\">+   mode: git</span>", diff);
        // The same diff mcg app diff prints.
        var cli = await fx.Fleet.RunAsync("app", "diff", "drift", "--kubeconfig", fx.Fleet.HubKubeconfig);
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("-   mode: live", cli.Out);
        Assert.Contains("+   mode: git", cli.Out);

        var remote = await client.GetStringAsync("/apps/argocd/secret-demo/diff");
        Assert.Contains("aws-1 is a managed cluster", remote);
    }

    [Fact]
    public async Task ActionsNeedTheAntiForgeryTokenAndTheSameOrigin()
    {
        using var client = await fx.LoginAsync();
        var csrf = Csrf(await client.GetStringAsync("/apps/argocd/guestbook"));

        var none = await client.PostAsync("/apps/argocd/guestbook/refresh", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        var wrong = await client.PostAsync("/apps/argocd/guestbook/refresh", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf + "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/apps/argocd/guestbook/refresh") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf }) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(crossSite)).StatusCode);

        using var ok = new HttpRequestMessage(HttpMethod.Post, "/apps/argocd/guestbook/refresh") { Content = new FormUrlEncodedContent([]) };
        ok.Headers.Add("X-CSRF-Token", csrf);
        ok.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await client.SendAsync(ok);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Refresh of guestbook requested", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RollbackOfAnAutomatedAppIsRefusedAsArgoCdDoes()
    {
        using var client = await fx.LoginAsync();
        var csrf = Csrf(await client.GetStringAsync("/apps/argocd/secret-demo"));
        var response = await client.PostAsync("/apps/argocd/secret-demo/rollback", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["id"] = "0" }));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("rollback cannot be initiated when auto-sync is enabled", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/apps/argocd/no-such-app")).StatusCode);
    }

    [Fact]
    public async Task MetricsAreServedOnTheConsoleOriginToAuthorisedCallers()
    {
        using var anonymous = fx.NewClient(out _);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fx.Token);
        var scrape = await anonymous.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync());
        using var session = await fx.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task ServerSentEventsAnnounceChangesSeenByWatches()
    {
        using var client = await fx.LoginAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/events?watch=secrets")).StatusCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.GetAsync("/events?watch=applications", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.Equal("retry: 2000", await reader.ReadLineAsync(cts.Token));
        Assert.Equal(": connected", await reader.ReadLineAsync(cts.Token));
        var changed = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line == "event: change")
                {
                    return await reader.ReadLineAsync(cts.Token);
                }
            }
            return null;
        }, cts.Token);
        // Keep touching an application until the stream reports it (the watch starts after the connection).
        for (var i = 0; !changed.IsCompleted && i < 50; i++)
        {
            (await fx.Hub.RunAsync($"-n argocd annotate app guestbook console-test/touch={i} --overwrite")).Ok();
            await Task.WhenAny(changed, Task.Delay(500, cts.Token));
        }
        Assert.Equal("data: applications", await changed);
    }

    [Fact]
    public async Task ExternalSecretsAndStorageShowWhatTheClustersAgentReports()
    {
        var cluster = new Kubectl(fx.Fleet.Clusters["aws-1"].KubeconfigPath);
        using var client = await fx.LoginAsync();
        // aws-1 runs no storage simulator: play the volume binder, so the PVC has a phase for the agent to feed back.
        await fx.WaitAsync(async () => (await cluster.RunAsync("""-n demo patch pvc demo-data --subresource=status --type merge -p '{"status":{"phase":"Bound"}}'""")).ExitCode == 0,
            "the PVC is on aws-1");
        string last = "";
        await fx.WaitAsync(async () =>
        {
            var es = await LiveAsync(cluster, "externalsecret demo-es");
            var pvc = await LiveAsync(cluster, "pvc demo-data");
            var ready = (es?["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.ToString() == "Ready");
            var phase = pvc?["status"]?["phase"]?.ToString();
            var secrets = await client.GetStringAsync("/secrets?fragment=1");
            var clusterPage = await client.GetStringAsync("/clusters/aws-1?fragment=1");
            var expectedBadge = ready?["status"]?.ToString() switch { "True" => "Synced", "False" => "Failing", _ => null };
            last = $"ready={ready?.ToJsonString()} phase={phase}\n{secrets}\n{clusterPage}";
            return expectedBadge is not null && phase == "Bound"
                && Row(secrets, "demo-es").Contains($">{expectedBadge}</span>", StringComparison.Ordinal)
                && Row(secrets, "demo-es").Contains(System.Net.WebUtility.HtmlEncode(ready!["reason"]!.ToString()), StringComparison.Ordinal)
                && Row(clusterPage, "demo-data").Contains($">{phase}</span>", StringComparison.Ordinal);
        }, "the console shows the ExternalSecret's Ready condition and the PVC's phase as aws-1 reports them", 90)
            .ContinueWith(t => Assert.True(t.IsCompletedSuccessfully, last + t.Exception?.Message));
    }

    private static async Task<JsonNode?> LiveAsync(Kubectl cluster, string what)
    {
        var r = await cluster.RunAsync($"-n demo get {what} -o json");
        return r.ExitCode == 0 ? JsonNode.Parse(r.Out) : null;
    }

    /// <summary>The table row that names <paramref name="name"/> (empty when none does).</summary>
    private static string Row(string html, string name) =>
        Regex.Matches(html, "<tr>.*?</tr>", RegexOptions.Singleline).Select(m => m.Value).FirstOrDefault(r => r.Contains($"<td>{name}</td>", StringComparison.Ordinal)) ?? "";

    private async Task<Dictionary<string, (int, int)>> ExpectedCountsAsync()
    {
        var clusters = (await ItemsAsync("managedclusters")).ToList();
        var apps = (await ItemsAsync("applications.argoproj.io -A")).ToList();
        var policies = (await ItemsAsync("policies.policy.open-cluster-management.io -A"))
            .Where(p => p["metadata"]?["labels"]?["policy.open-cluster-management.io/root-policy"] is null).ToList();
        bool Available(JsonNode c) => (c["status"]?["conditions"] as JsonArray)?.Any(x => x?["type"]?.ToString() == "ManagedClusterConditionAvailable" && x["status"]?.ToString() == "True") == true;
        return new()
        {
            ["clusters"] = (clusters.Count(Available), clusters.Count),
            ["apps-synced"] = (apps.Count(a => a["status"]?["sync"]?["status"]?.ToString() == "Synced"), apps.Count),
            ["apps-healthy"] = (apps.Count(a => a["status"]?["health"]?["status"]?.ToString() == "Healthy"), apps.Count),
            ["policies"] = (policies.Count(p => p["status"]?["compliant"]?.ToString() == "Compliant"), policies.Count),
        };
    }

    private async Task<IEnumerable<JsonNode>> ItemsAsync(string what)
    {
        var r = (await fx.Hub.RunAsync($"get {what} -o json")).Ok();
        return (JsonNode.Parse(r.Out)!["items"] as JsonArray)!.OfType<JsonNode>();
    }

    private static (int, int) Tally(JsonNode? t) => (t!["good"]!.GetValue<int>(), t["total"]!.GetValue<int>());

    private static (int, int) TileOf(string html, string tile)
    {
        var m = Regex.Match(html, $"data-tile=\"{tile}\"><span class=\"num\"><span data-good>(\\d+)</span>/<span data-total>(\\d+)</span>");
        return m.Success ? (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : (-1, -1);
    }

    private static string Show(Dictionary<string, (int, int)> d) => string.Join(", ", d.Select(e => $"{e.Key}={e.Value.Item1}/{e.Value.Item2}"));

    internal static string Csrf(string html) => CsrfMeta().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no csrf-token meta in the page");

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfMeta();
}
