using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Mcg.ApiServer.Hosting;

namespace Mcg.Bench;

/// <summary>
/// The API server's hot paths over HTTPS with the official KubernetesClient: creates, server-side applies, a large
/// list, and watch fan-out latency. No peer runs here (no kube-apiserver/etcd on this machine), so "peer" is n/a.
/// </summary>
public static class ApiServerBench
{
    private const int Clients = 16;
    private const string SentAt = "bench.mcg.io/sent-at";

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var objects = quick ? 2_000 : 10_000;
        var applies = quick ? 1_000 : 5_000;
        var dir = Directory.CreateTempSubdirectory("mcg-bench-").FullName;
        try
        {
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = dir });
            var clients = Enumerable.Range(0, Clients).Select(_ => Connect(server)).ToArray();
            await clients[0].CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });
            await clients[0].CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "applied" } });
            await clients[0].CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "watched" } });

            var createRate = await CreatesAsync(clients, objects);
            var applyRate = await AppliesAsync(clients, applies);
            var listMs = await ListAsync(clients[0], objects);
            var (p50, p99) = await WatchFanOutAsync(server, clients[0], watchers: 100, writes: quick ? 100 : 300);
            foreach (var c in clients)
            {
                c.Dispose();
            }
            return
            [
                new BenchRow($"creates/s, {Clients} clients", createRate, "ops/s", null, ">= 2000", true),
                new BenchRow($"SSA applies/s, 30-field ConfigMap, {Clients} clients", applyRate, "ops/s", null, ">= 1000", true),
                new BenchRow($"list {objects:N0} ConfigMaps", listMs, "ms", null, "-", false),
                new BenchRow("watch delivery p50, 100 watchers", p50, "ms", null, "-", false),
                new BenchRow("watch delivery p99, 100 watchers", p99, "ms", null, "< 50", false),
            ];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Kubernetes Connect(EmbeddedApiServer server) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));

    private static async Task<double> CreatesAsync(Kubernetes[] clients, int total)
    {
        // Warm up connections and JIT.
        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (i, ct) =>
            await clients[i].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"warm-{i}" } }, "applied", cancellationToken: ct));
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (c, ct) =>
        {
            for (var i = c; i < total; i += Clients)
            {
                await clients[c].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta { Name = $"cm-{i:D6}", Labels = new Dictionary<string, string> { ["bench"] = "create" } },
                    Data = new Dictionary<string, string> { ["index"] = i.ToString(CultureInfo.InvariantCulture) },
                }, "bench", cancellationToken: ct);
            }
        });
        return total / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> AppliesAsync(Kubernetes[] clients, int total)
    {
        static V1ConfigMap Config(int name, int round) => new()
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = $"applied-{name:D4}", NamespaceProperty = "applied" },
            Data = Enumerable.Range(0, 30).ToDictionary(f => $"field-{f:D2}", f => $"value-{f}-{round}"),
        };
        const int distinct = 500;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (c, ct) =>
        {
            for (var i = c; i < total; i += Clients)
            {
                var name = i % distinct;
                await clients[c].CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Config(name, i / distinct), V1Patch.PatchType.ApplyPatch),
                    $"applied-{name:D4}", "applied", fieldManager: "bench", force: true, cancellationToken: ct);
            }
        });
        return total / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> ListAsync(Kubernetes client, int expected)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            var list = await client.CoreV1.ListNamespacedConfigMapAsync("bench");
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (list.Items.Count != expected)
            {
                throw new InvalidOperationException($"listed {list.Items.Count} objects, expected {expected}");
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Latency from the start of a write to its delivery on each of the watchers (same process, same clock).</summary>
    private static async Task<(double P50, double P99)> WatchFanOutAsync(EmbeddedApiServer server, Kubernetes writer, int watchers, int writes)
    {
        var clock = Stopwatch.StartNew();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var watchClients = Enumerable.Range(0, 10).Select(_ => Connect(server)).ToArray();
        using var cts = new CancellationTokenSource();
        var started = new CountdownEvent(watchers);
        var rv = (await writer.CoreV1.ListNamespacedConfigMapAsync("watched")).Metadata.ResourceVersion;
        var tasks = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
        {
            var first = true;
            try
            {
                await foreach (var (_, cm) in watchClients[w % watchClients.Length].CoreV1.WatchListNamespacedConfigMapAsync(
                    "watched", resourceVersion: rv, allowWatchBookmarks: false, cancellationToken: cts.Token))
                {
                    if (first)
                    {
                        first = false;
                        started.Signal();
                    }
                    if (cm.Metadata.Annotations?.TryGetValue(SentAt, out var at) == true)
                    {
                        latencies.Add(clock.Elapsed.TotalMilliseconds - double.Parse(at, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();
        // One probe write confirms every watch is connected before measuring.
        await writer.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "probe" } }, "watched");
        if (!started.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("watchers did not start");
        }
        var cm = await writer.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "ticker" }, Data = new Dictionary<string, string> { ["n"] = "0" } }, "watched");
        for (var i = 1; i <= writes; i++)
        {
            cm.Metadata.Annotations = new Dictionary<string, string> { [SentAt] = clock.Elapsed.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture) };
            cm = await writer.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "ticker", "watched");
            await Task.Delay(10);
        }
        await Task.Delay(2000);
        cts.Cancel();
        await Task.WhenAll(tasks);
        foreach (var c in watchClients)
        {
            c.Dispose();
        }
        var sorted = latencies.Order().ToArray();
        if (sorted.Length < watchers * writes * 0.9)
        {
            throw new InvalidOperationException($"only {sorted.Length} of {watchers * writes} deliveries were matched");
        }
        return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
    }
}
