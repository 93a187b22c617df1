using k8s;
using k8s.Models;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests;

public sealed class DurabilityTests
{
    [Fact]
    public async Task AcknowledgedWritesSurviveKillDashNine()
    {
        await using var server = await ServerProcess.StartAsync();
        string lastRv;
        using (var client = server.Client())
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "durable" } });
            var written = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                await client.CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"item-{i:D4}" }, Data = new Dictionary<string, string> { ["i"] = i.ToString() } },
                    "durable", cancellationToken: ct);
                Interlocked.Increment(ref written);
            });
            Assert.Equal(1000, written);
            lastRv = (await client.CoreV1.ListNamespacedConfigMapAsync("durable")).Metadata.ResourceVersion;
        }

        await server.RestartAsync(kill: true);

        using var after = server.Client();
        var list = await after.CoreV1.ListNamespacedConfigMapAsync("durable");
        Assert.Equal(1000, list.Items.Count);
        Assert.Equal(lastRv, list.Metadata.ResourceVersion);
        Assert.All(list.Items, cm => Assert.Equal(cm.Metadata.Name[5..].TrimStart('0').PadLeft(1, '0'), cm.Data["i"]));

        // A watch from the last resourceVersion sees only what happens after it.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<(WatchEventType, string)>();
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, cm) in after.CoreV1.WatchListNamespacedConfigMapAsync("durable", resourceVersion: lastRv, cancellationToken: cts.Token))
            {
                seen.Add((type, cm.Metadata.Name));
                if (seen.Count == 2)
                {
                    break;
                }
            }
        }, cts.Token);
        await Task.Delay(500);
        await after.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" } }, "durable");
        await after.CoreV1.DeleteNamespacedConfigMapAsync("item-0007", "durable");
        await watch;
        Assert.Equal([(WatchEventType.Added, "later"), (WatchEventType.Deleted, "item-0007")], seen);
    }

    [Fact]
    public async Task SigtermStopsTheServerCleanly()
    {
        await using var server = await ServerProcess.StartAsync();
        using (var client = server.Client())
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before-stop" } }, "default");
        }
        // systemd, docker and kubelets stop a server with SIGTERM: it must exit, cleanly, and keep its data.
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await server.StartAgainAsync();
        using var after = server.Client();
        Assert.Equal("before-stop", (await after.CoreV1.ReadNamespacedConfigMapAsync("before-stop", "default")).Metadata.Name);
    }
}
