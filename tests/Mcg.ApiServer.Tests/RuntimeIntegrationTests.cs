using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;

namespace Mcg.ApiServer.Tests;

/// <summary>The client abstraction and the controller runtime against a real server process.</summary>
public sealed class RuntimeIntegrationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private KubernetesClientKubeClient Client() =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.KubeconfigPath));

    [Fact]
    public async Task InformerCachesAndFollowsChanges()
    {
        using var client = Client();
        await client.CreateAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "inf" } });
        await client.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("before", "1"));

        var informer = new Informer(client, ResourceRef.ConfigMaps, new InformerOptions { Namespace = "inf" });
        var events = new List<string>();
        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        informer.AddEventHandler(new InformerEventHandler
        {
            Added = o => { lock (events) { events.Add("added " + o["metadata"]!["name"]); } },
            Updated = (_, o) => { lock (events) { events.Add("updated " + o["metadata"]!["name"]); } },
            Deleted = o =>
            {
                lock (events)
                {
                    events.Add("deleted " + o["metadata"]!["name"]);
                }
                deleted.TrySetResult();
            },
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(cts.Token);
        Assert.NotNull(informer.Get("inf", "before"));

        await client.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("after", "1"));
        await client.ApplyAsync(ResourceRef.ConfigMaps, ConfigMap("after", "2"), new ApplyOptions("test") { Force = true });
        await client.DeleteAsync(ResourceRef.ConfigMaps, "inf", "before");
        await deleted.Task.WaitAsync(cts.Token);
        await WaitUntil(() => informer.Get("inf", "after")?["data"]?["v"]?.GetValue<string>() == "2", cts.Token);
        Assert.Null(informer.Get("inf", "before"));
        lock (events)
        {
            Assert.Equal(["added before", "added after", "updated after", "deleted before"], events);
        }
        cts.Cancel();
        await run.ContinueWith(_ => { });
        Assert.True(run.IsCompleted);
    }

    [Fact]
    public async Task OnlyOneOfTwoCandidatesLeadsAndTheOtherTakesOver()
    {
        using var client = Client();
        var leading = 0;
        var maxLeading = 0;
        var leaders = new List<string>();
        LeaderElector Candidate(string id) => new(client, new LeaderElectionOptions
        {
            LeaseNamespace = "default",
            LeaseName = "mcg-test-election",
            Identity = id,
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            OnStartedLeading = async ct =>
            {
                var now = Interlocked.Increment(ref leading);
                lock (leaders)
                {
                    leaders.Add(id);
                    maxLeading = Math.Max(maxLeading, now);
                }
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    Interlocked.Decrement(ref leading);
                }
            },
        });
        using var ctsA = new CancellationTokenSource();
        using var ctsB = new CancellationTokenSource();
        var a = Candidate("a").RunAsync(ctsA.Token);
        await WaitUntil(() => Volatile.Read(ref leading) == 1, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var b = Candidate("b").RunAsync(ctsB.Token);
        await Task.Delay(1500);
        Assert.Equal(["a"], leaders);

        // The leader stops (and releases its lease): the other candidate takes over.
        ctsA.Cancel();
        await a.ContinueWith(_ => { });
        await WaitUntil(() => { lock (leaders) { return leaders.Count == 2; } }, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.Equal(["a", "b"], leaders);
        Assert.Equal(1, maxLeading);
        var lease = await client.GetAsync(ResourceRef.Leases, "default", "mcg-test-election");
        Assert.Equal("b", lease!["spec"]!["holderIdentity"]!.GetValue<string>());
        ctsB.Cancel();
        await b.ContinueWith(_ => { });
    }

    private static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "inf" },
        ["data"] = new JsonObject { ["v"] = value },
    };

    private static async Task WaitUntil(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
