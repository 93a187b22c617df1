using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>A server whose watch history is short, so a watch can fall behind it (410 Gone).</summary>
public sealed class ShortHistoryServerFixture : ServerFixture
{
    public const int History = 20;

    protected override string[] ServerArgs => ["--watch-history", History.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}

/// <summary>Watch over HTTP as the apiserver serves it: selectors, expiry, timeouts, no-op writes, kubectl's field-selector watch.</summary>
public sealed class WatchConformanceTests(ShortHistoryServerFixture fixture) : IClassFixture<ShortHistoryServerFixture>, IAsyncLifetime
{
    private const string Ns = "watching";
    private const string Cms = $"/api/v1/namespaces/{Ns}/configmaps";
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    public async Task InitializeAsync()
    {
        var created = await _http.PostAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Ns}}}"}}""");
        Assert.True(created.Code is 201 or 409, created.Body);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task LabelSelectorWatchSeesObjectsEnterAndLeaveTheSelection()
    {
        await CreateAsync("sel-a");
        await CreateAsync("sel-other");
        var rv = await ListRvAsync();
        await using var watch = await _http.WatchAsync($"{Cms}?labelSelector=app%3Dselected&resourceVersion={rv}");
        Assert.Equal(HttpStatusCode.OK, watch.Status);

        await LabelAsync("sel-a", """{"app":"selected"}""");        // starts matching: ADDED
        await LabelAsync("sel-other", """{"app":"other"}""");       // never matches: nothing
        await LabelAsync("sel-a", """{"app":"selected","x":"1"}"""); // still matches: MODIFIED
        await LabelAsync("sel-a", """{"app":"gone"}""");            // stops matching: DELETED
        await LabelAsync("sel-a", """{"app":"selected"}""");        // matches again: ADDED
        (await _http.DeleteAsync($"{Cms}/sel-other")).Expect(200);  // not selected: nothing
        (await _http.DeleteAsync($"{Cms}/sel-a")).Expect(200);      // DELETED

        var seen = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (type, obj) = await watch.ExpectAsync();
            Assert.Equal("sel-a", obj["metadata"]!["name"]!.GetValue<string>());
            seen.Add(type);
        }
        Assert.Equal(["ADDED", "MODIFIED", "DELETED", "ADDED", "DELETED"], seen);
        Assert.Null(await watch.NextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task WatchFromAResourceVersionOlderThanTheHistoryIsExpired()
    {
        var old = await CreateAsync("expired-base");
        var oldRv = old["metadata"]!["resourceVersion"]!.GetValue<string>();
        for (var i = 0; i < ShortHistoryServerFixture.History + 5; i++)
        {
            await LabelAsync("expired-base", $$$"""{"n":"{{{i}}}"}""");
        }

        await using var watch = await _http.WatchAsync($"{Cms}?resourceVersion={oldRv}");
        Assert.Equal(HttpStatusCode.OK, watch.Status);
        var (type, status) = await watch.ExpectAsync();
        Assert.Equal("ERROR", type);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.Equal(410, status["code"]!.GetValue<int>());
        Assert.StartsWith($"too old resource version: {oldRv} (", status["message"]!.GetValue<string>());
        // The stream ends after the error.
        await watch.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        // From a current resourceVersion the same watch works.
        await using var fresh = await _http.WatchAsync($"{Cms}?resourceVersion={await ListRvAsync()}");
        await LabelAsync("expired-base", """{"n":"last"}""");
        Assert.Equal("MODIFIED", (await fresh.ExpectAsync()).Type);
    }

    [Fact]
    public async Task TimeoutSecondsEndsTheStreamCleanly()
    {
        await CreateAsync("timeout-a");
        var started = Stopwatch.StartNew();
        await using var watch = await _http.WatchAsync($"{Cms}?resourceVersion={await ListRvAsync()}&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.OK, watch.Status);
        await watch.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        Assert.Null(await watch.NextAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task WatchWithoutResourceVersionStartsWithTheCurrentObjects()
    {
        await CreateAsync("initial-a");
        await CreateAsync("initial-b");
        await using var watch = await _http.WatchAsync($"{Cms}?fieldSelector=metadata.name%3Dinitial-b&timeoutSeconds=5");
        var (type, obj) = await watch.ExpectAsync();
        Assert.Equal("ADDED", type);
        Assert.Equal("initial-b", obj["metadata"]!["name"]!.GetValue<string>());
        await using var fromZero = await _http.WatchAsync($"{Cms}?resourceVersion=0&labelSelector=none%3Dnone&timeoutSeconds=1");
        await fromZero.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await fromZero.NextAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task NoOpWritesKeepTheResourceVersionAndWakeNoWatcher()
    {
        var created = await CreateAsync("noop", """{"k":"v"}""");
        var rv = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var watch = await _http.WatchAsync($"{Cms}?fieldSelector=metadata.name%3Dnoop&resourceVersion={rv}");

        // A patch, a PUT and kubectl commands that change nothing.
        var patched = (await _http.PatchAsync($"{Cms}/noop", """{"data":{"k":"v"}}""")).Expect(200);
        Assert.Equal(rv, patched["metadata"]!["resourceVersion"]!.GetValue<string>());
        var put = (await _http.PutAsync($"{Cms}/noop", created.ToJsonString())).Expect(200);
        Assert.Equal(rv, put["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Contains("patched (no change)", (await _kubectl.RunAsync($$$"""-n {{{Ns}}} patch configmap noop --type=merge -p '{"data":{"k":"v"}}'""")).Ok().Out);
        (await _kubectl.RunAsync($"-n {Ns} label configmap noop --overwrite app=x")).Ok();
        Assert.Contains("not labeled", (await _kubectl.RunAsync($"-n {Ns} label configmap noop --overwrite app=x")).Ok().Out);

        // Only the one real change (the first label) is an event.
        var (type, obj) = await watch.ExpectAsync();
        Assert.Equal("MODIFIED", type);
        Assert.Equal("x", obj["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Null(await watch.NextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task WatchOnAnItemPathFollowsThatObjectOnly()
    {
        await CreateAsync("item-a");
        await CreateAsync("item-b");
        var rv = await ListRvAsync();
        // GET …/configmaps/item-a?watch=true, and the deprecated /watch/ prefix: both follow item-a alone.
        await using var itemWatch = await _http.WatchAsync($"{Cms}/item-a?resourceVersion={rv}");
        await using var legacyWatch = await _http.WatchAsync($"/api/v1/watch/namespaces/{Ns}/configmaps/item-a?resourceVersion={rv}");
        Assert.Equal(HttpStatusCode.OK, legacyWatch.Status);
        await LabelAsync("item-b", """{"x":"1"}""");
        await LabelAsync("item-a", """{"x":"1"}""");
        foreach (var watch in new[] { itemWatch, legacyWatch })
        {
            var (type, obj) = await watch.ExpectAsync();
            Assert.Equal("MODIFIED", type);
            Assert.Equal("item-a", obj["metadata"]!["name"]!.GetValue<string>());
            Assert.Null(await watch.NextAsync(TimeSpan.FromMilliseconds(300)));
        }
        // The /watch/ prefix on a collection watches the collection.
        await using var collection = await _http.WatchAsync($"/api/v1/watch/namespaces/{Ns}/configmaps?fieldSelector=metadata.name%3Ditem-b&timeoutSeconds=5");
        Assert.Equal("item-b", (await collection.ExpectAsync()).Object["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendInitialEventsEndsTheInitialStateWithABookmark()
    {
        await CreateAsync("wl-a");
        await CreateAsync("wl-b");
        // What client-go's watch-list (WatchListClient) sends instead of a LIST.
        await using var watch = await _http.WatchAsync($"{Cms}?sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=wl%3Dyes");
        await using var all = await _http.WatchAsync($"{Cms}?sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dwl-a");
        var (type, obj) = await all.ExpectAsync();
        Assert.Equal(("ADDED", "wl-a"), (type, obj["metadata"]!["name"]!.GetValue<string>()));
        var (bookmarkType, bookmark) = await all.ExpectAsync();
        Assert.Equal("BOOKMARK", bookmarkType);
        Assert.Equal("true", bookmark["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark["kind"]!.GetValue<string>());
        // Nothing selected: the bookmark alone.
        var (emptyType, empty) = await watch.ExpectAsync();
        Assert.Equal("BOOKMARK", emptyType);
        var listRv = long.Parse(await ListRvAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(long.Parse(empty["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) <= listRv);
        await LabelAsync("wl-b", """{"wl":"yes"}""");
        Assert.Equal("ADDED", (await watch.ExpectAsync()).Type);

        // sendInitialEvents=false: from now on, nothing of the past.
        await using var fromNow = await _http.WatchAsync($"{Cms}?sendInitialEvents=false&fieldSelector=metadata.name%3Dwl-a");
        Assert.Null(await fromNow.NextAsync(TimeSpan.FromMilliseconds(300)));
        await LabelAsync("wl-a", """{"x":"y"}""");
        Assert.Equal("MODIFIED", (await fromNow.ExpectAsync()).Type);
    }

    [Fact]
    public async Task KubectlGetNameWatchFollowsOnlyThatObject()
    {
        await CreateAsync("followed");
        await CreateAsync("ignored");
        using var watch = _kubectl.Start($"-n {Ns} get configmap followed -w -o custom-columns=NAME:.metadata.name,V:.data.v --no-headers");
        var lines = new List<string>();
        var sawDelete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(line);
                if (lines.Count >= 4)
                {
                    sawDelete.TrySetResult();
                }
            }
        };
        watch.BeginOutputReadLine();
        await Eventually.TrueAsync(() => { lock (lines) { return Task.FromResult(lines.Count >= 1); } }, "kubectl prints the object");
        (await _http.PatchAsync($"{Cms}/ignored", """{"data":{"v":"no"}}""")).Expect(200);
        (await _http.PatchAsync($"{Cms}/followed", """{"data":{"v":"one"}}""")).Expect(200);
        (await _http.PatchAsync($"{Cms}/followed", """{"data":{"v":"two"}}""")).Expect(200);
        (await _http.DeleteAsync($"{Cms}/followed")).Expect(200);
        await sawDelete.Task.WaitAsync(TimeSpan.FromSeconds(20));
        watch.Kill(true);
        lock (lines)
        {
            Assert.All(lines, l => Assert.StartsWith("followed", l));
            Assert.Matches(@"^followed\s+<none>$", lines[0]);
            Assert.Matches(@"^followed\s+one$", lines[1]);
            Assert.Matches(@"^followed\s+two$", lines[2]);
        }
    }

    private async Task<JsonObject> CreateAsync(string name, string data = "{}") =>
        (await _http.PostAsync(Cms, $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{{{data}}}}""")).Expect(201);

    private async Task LabelAsync(string name, string labels) =>
        (await _http.PutAsync($"{Cms}/{name}", await WithLabelsAsync(name, labels))).Expect(200);

    private async Task<string> WithLabelsAsync(string name, string labels)
    {
        var obj = (await _http.GetAsync($"{Cms}/{name}")).Expect(200);
        obj["metadata"]!["labels"] = JsonNode.Parse(labels);
        return obj.ToJsonString();
    }

    private async Task<string> ListRvAsync() =>
        (await _http.GetAsync(Cms)).Expect(200)["metadata"]!["resourceVersion"]!.GetValue<string>();
}
