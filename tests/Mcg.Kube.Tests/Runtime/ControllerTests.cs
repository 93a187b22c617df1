using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Kube.Tests.Runtime;

public sealed class ControllerTests : IAsyncDisposable
{
    private readonly FakeKubeClient _client = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Task> _runs = [];

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(TimeSpan.FromSeconds(10));
        _cts.Dispose();
    }

    private sealed class Reconciler(Func<string, int, ReconcileResult> behaviour) : IReconciler
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
        {
            Calls.Enqueue(key);
            return Task.FromResult(behaviour(key, _counts.AddOrUpdate(key, 1, (_, n) => n + 1)));
        }
    }

    private Controller Start(IReconciler reconciler, Func<JsonObject, IEnumerable<string>>? keys = null)
    {
        var informer = new Informer(_client, ResourceRef.ConfigMaps);
        var controller = new Controller("test", reconciler,
            new ControllerOptions { Workers = 2, Queue = new WorkQueueOptions { BaseDelay = TimeSpan.FromMilliseconds(10) } });
        controller.Watch(informer, keys);
        _runs.Add(informer.RunAsync(_cts.Token));
        _runs.Add(controller.RunAsync(_cts.Token));
        return controller;
    }

    [Fact]
    public async Task ReconcilesExistingAndNewObjects()
    {
        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("a", "one"));
        var reconciler = new Reconciler((_, _) => ReconcileResult.Done);
        Start(reconciler);

        await Wait.UntilAsync(() => reconciler.Calls.Contains("a/one"), "a/one reconciled");
        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("b", "two"));
        await Wait.UntilAsync(() => reconciler.Calls.Contains("b/two"), "b/two reconciled");
        var before = reconciler.Calls.Count(k => k == "b/two");
        await _client.DeleteAsync(ResourceRef.ConfigMaps, "b", "two");
        await Wait.UntilAsync(() => reconciler.Calls.Count(k => k == "b/two") > before, "b/two reconciled after delete");
    }

    [Fact]
    public async Task RetriesFailuresWithBackoff_AndForgetsOnSuccess()
    {
        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("a", "flaky"));
        var reconciler = new Reconciler((_, n) => n <= 3 ? throw new InvalidOperationException("transient") : ReconcileResult.Done);
        var controller = Start(reconciler);

        await Wait.UntilAsync(() => reconciler.Calls.Count == 4, "three retries");
        await Wait.UntilAsync(() => controller.Queue.NumRequeues("a/flaky") == 0, "the backoff to be forgotten");
        await Task.Delay(100);
        Assert.Equal(4, reconciler.Calls.Count);
    }

    [Fact]
    public async Task RequeueAndRequeueAfter_ReconcileAgain()
    {
        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("a", "requeue"));
        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("a", "later"));
        var reconciler = new Reconciler((key, n) => (key, n) switch
        {
            ("a/requeue", 1) => ReconcileResult.RequeueNow,
            ("a/later", 1) => ReconcileResult.After(TimeSpan.FromMilliseconds(100)),
            _ => ReconcileResult.Done,
        });
        Start(reconciler);

        await Wait.UntilAsync(() => reconciler.Calls.Count(k => k == "a/requeue") == 2, "a/requeue reconciled twice");
        await Wait.UntilAsync(() => reconciler.Calls.Count(k => k == "a/later") == 2, "a/later reconciled twice");
    }

    [Fact]
    public async Task MapsObjectsToOtherKeys()
    {
        var reconciler = new Reconciler((_, _) => ReconcileResult.Done);
        Start(reconciler, obj => obj.Labels().TryGetValue("owner", out var owner) ? [ObjectKeys.KeyOf(obj.Namespace(), owner)] : []);

        await _client.CreateAsync(ResourceRef.ConfigMaps, FakeKubeClient.ConfigMap("a", "child", new() { ["owner"] = "parent" }));
        await Wait.UntilAsync(() => reconciler.Calls.Contains("a/parent"), "the owner key reconciled");
        Assert.DoesNotContain("a/child", reconciler.Calls);
    }
}
