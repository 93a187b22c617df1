using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Kube.Tests.Runtime;

public sealed class InformerTests : IAsyncDisposable
{
    private readonly FakeKubeClient _client = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly ConcurrentQueue<string> _events = new();
    private Task _run = Task.CompletedTask;

    private static InformerOptions FastOptions => new() { MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) };

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _cts.Dispose();
    }

    private Informer Start(InformerOptions? options = null)
    {
        var informer = new Informer(_client, ResourceRef.ConfigMaps, options ?? FastOptions);
        informer.AddEventHandler(new InformerEventHandler
        {
            Added = o => _events.Enqueue($"add {ObjectKeys.KeyOf(o)}"),
            Updated = (o, n) => _events.Enqueue(ReferenceEquals(o, n) ? $"resync {ObjectKeys.KeyOf(n)}" : $"update {ObjectKeys.KeyOf(n)} {n["data"]?["value"]}"),
            Deleted = o => _events.Enqueue($"delete {ObjectKeys.KeyOf(o)}"),
        });
        _run = informer.RunAsync(_cts.Token);
        return informer;
    }

    private Task Create(string ns, string name, string data = "", Dictionary<string, string>? labels = null) =>
        _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap(ns, name, labels, data));

    private Task ExpectEvents(params string[] expected) =>
        Wait.UntilAsync(() => expected.All(_events.Contains), $"events [{string.Join(", ", expected)}], got [{string.Join(", ", _events)}]");

    [Fact]
    public async Task SyncsTheInitialList()
    {
        await Create("a", "one");
        await Create("b", "two");

        var informer = Start();
        Assert.False(informer.HasSynced && informer.List().Count == 0);
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(informer.HasSynced);
        Assert.Equal(2, informer.List().Count);
        Assert.Equal("one", informer.Get("a", "one")?.Name());
        Assert.Null(informer.Get("a", "two"));
        await ExpectEvents("add a/one", "add b/two");
    }

    [Fact]
    public async Task TransformsListedAndWatchedObjectsBeforeCachingThem()
    {
        await Create("a", "one", "listed");
        var options = FastOptions;
        options.Transform = o =>
        {
            o["data"] = new JsonObject { ["value"] = $"seen {o["data"]?["value"]}" };
            return InformerTransforms.StripManagedFields(o);
        };
        var informer = Start(options);
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("seen listed", informer.Get("a", "one")?["data"]?["value"]?.GetValue<string>());

        await _client.PatchAsync(ResourceRef.ConfigMaps, "a", "one", PatchType.Merge,
            JsonNode.Parse("""{"metadata":{"managedFields":[{"manager":"m"}]},"data":{"value":"watched"}}""")!);
        await ExpectEvents("add a/one", "update a/one seen watched");
        var cached = informer.Get("a", "one")!;
        Assert.Null(cached["metadata"]!["managedFields"]);
        Assert.Equal("watched", (await _client.GetAsync(ResourceRef.ConfigMaps, "a", "one"))!["data"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliversWatchedChanges()
    {
        await Create("a", "one");
        var informer = Start();
        await informer.WaitForSyncAsync();

        await Create("a", "two", "x");
        await _client.PatchAsync(ResourceRef.ConfigMaps, "a", "one", PatchType.Merge, JsonNode.Parse("""{"data":{"value":"changed"}}""")!);
        await _client.DeleteAsync(ResourceRef.ConfigMaps, "a", "two");

        await ExpectEvents("add a/one", "add a/two", "update a/one changed", "delete a/two");
        Assert.Null(informer.Get("a", "two"));
        Assert.Equal("changed", informer.Get("a", "one")?["data"]?["value"]?.GetValue<string>());
        await Wait.UntilAsync(() => informer.LastSyncResourceVersion == _client.CurrentResourceVersion,
            "the informer to catch up with the latest resourceVersion");
        Assert.Equal(1, _client.ListCalls);
    }

    [Fact]
    public async Task RelistsAfterExpiredWatch_AndDeliversTheDifference()
    {
        await Create("a", "keep");
        await Create("a", "gone");
        var informer = Start();
        await informer.WaitForSyncAsync();
        await Wait.UntilAsync(() => _client.ActiveWatches == 1, "the watch to start");

        // Changes the informer must learn from a re-list: the watch is broken with 410 and history is lost.
        _client.Fault = verb => verb == "watch" ? new ResourceVersionExpiredException(null) : null;
        _client.Compact();
        await _client.DeleteAsync(ResourceRef.ConfigMaps, "a", "gone");
        await Create("a", "new");
        _client.Fault = null;

        await ExpectEvents("delete a/gone", "add a/new");
        Assert.True(_client.ListCalls >= 2);
        Assert.Equal(["a/keep", "a/new"], informer.List().Select(ObjectKeys.KeyOf).Order());
    }

    [Fact]
    public async Task ResumesFromLastResourceVersionWhenTheWatchEnds()
    {
        var informer = Start();
        await informer.WaitForSyncAsync();
        await Wait.UntilAsync(() => _client.ActiveWatches == 1, "the watch to start");
        await Create("a", "one");
        await ExpectEvents("add a/one");

        _client.CloseWatches();
        await Create("a", "two");
        await ExpectEvents("add a/two");
        await Wait.UntilAsync(() => _client.WatchCalls >= 2, "a second watch");

        Assert.Equal(1, _client.ListCalls);
        Assert.Single(_events, e => e == "add a/one");
        Assert.Single(_events, e => e == "add a/two");
    }

    [Fact]
    public async Task RetriesAFailingListWithBackoff()
    {
        var failures = 0;
        _client.Fault = verb => verb == "list" && Interlocked.Increment(ref failures) <= 2 ? new KubeApiException(500, null, "boom") : null;
        await Create("a", "one");

        var informer = Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, _client.ListCalls);
        Assert.Single(informer.List());
    }

    [Fact]
    public async Task Resync_RedeliversCachedObjectsAsUpdates()
    {
        await Create("a", "one");
        var options = FastOptions;
        options.ResyncPeriod = TimeSpan.FromMilliseconds(50);
        Start(options);

        await Wait.UntilAsync(() => _events.Count(e => e == "resync a/one") >= 2, "two resyncs");
    }

    [Fact]
    public async Task FiltersByNamespaceAndLabelSelector()
    {
        await Create("a", "match", labels: new() { ["app"] = "x" });
        await Create("a", "other-label", labels: new() { ["app"] = "y" });
        await Create("b", "other-ns", labels: new() { ["app"] = "x" });

        var options = FastOptions;
        options.Namespace = "a";
        options.LabelSelector = "app=x";
        var informer = Start(options);
        await informer.WaitForSyncAsync();
        await Wait.UntilAsync(() => _client.ActiveWatches == 1, "the watch to start");
        await Create("a", "match2", labels: new() { ["app"] = "x" });
        await Create("b", "nope", labels: new() { ["app"] = "x" });

        await ExpectEvents("add a/match", "add a/match2");
        Assert.Equal(["a/match", "a/match2"], informer.List().Select(ObjectKeys.KeyOf).Order());
    }

    [Fact]
    public async Task HandlerAddedAfterSync_IsToldAboutCachedObjects()
    {
        await Create("a", "one");
        var informer = Start();
        await informer.WaitForSyncAsync();

        var seen = new List<string>();
        informer.AddEventHandler(new InformerEventHandler { Added = o => seen.Add(ObjectKeys.KeyOf(o)) });
        Assert.Equal(["a/one"], seen);
    }

    [Fact]
    public async Task AFailingHandler_DoesNotStopTheInformer()
    {
        var informer = new Informer(_client, ResourceRef.ConfigMaps, FastOptions);
        informer.AddEventHandler(new InformerEventHandler { Added = _ => throw new InvalidOperationException("handler bug") });
        _run = informer.RunAsync(_cts.Token);
        await informer.WaitForSyncAsync();
        await Wait.UntilAsync(() => _client.ActiveWatches == 1, "the watch to start");

        await Create("a", "one");
        await Create("a", "two");
        await Wait.UntilAsync(() => informer.List().Count == 2, "both objects cached");
    }
}
