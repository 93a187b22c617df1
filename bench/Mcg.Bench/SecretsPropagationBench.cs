using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Bench;

/// <summary>
/// One changed value in Vault → the Secrets of N clusters (default 100), each an embedded API server over HTTPS with
/// its own ExternalSecret controller, the <c>vault-backend</c> ClusterSecretStore (Kubernetes auth at the cluster's own
/// mount, TokenReview back to that cluster) and an ExternalSecret with <c>refreshInterval: 10s</c>. Every cluster and
/// the Vault server run in this process on the same 2 cores; all traffic is real HTTPS. The arrival time per cluster
/// is when that cluster's Secret informer sees the new value.
/// </summary>
public static class SecretsPropagationBench
{
    private const string Namespace = "config-demo";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var count = args.SkipWhile(a => a != "--clusters").Skip(1).Select(int.Parse).FirstOrDefault(quick ? 20 : 100);
        var root = Directory.CreateTempSubdirectory("mcg-bench-secrets-").FullName;
        var clusters = new List<(EmbeddedApiServer Server, KubernetesClientKubeClient Client)>();
        using var stop = new CancellationTokenSource();
        var running = new List<Task>();
        try
        {
            await using var vault = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = Path.Combine(root, "vault") });
            using var admin = vault.CreateClient();
            await admin.EnsureInitializedAndUnsealedAsync(null, 1, 1);
            await admin.KvWriteAsync(VaultLayout.KvMount, "global/config-demo", new JsonObject { ["secret"] = "v0" });

            var setup = Stopwatch.StartNew();
            var arrivals = new ConcurrentDictionary<int, DateTimeOffset>();
            var expected = "v0";
            var synced = new ConcurrentDictionary<int, bool>();
            for (var i = 0; i < count; i++)
            {
                var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(root, $"c{i}"), ClusterName = $"c{i}" });
                var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
                clusters.Add((server, client));
                var name = $"cluster-{i}";
                var endpoint = KubeconfigEndpoint.Read(server.KubeconfigPath);
                await SpokeVaultInit.EnsureMountAsync(admin, name, endpoint.Server, endpoint.CaPem, stop.Token);
                await EsoServiceAccount.EnsureAsync(client, stop.Token);
                await EsoCrds.InstallAsync(client, stop.Token);
                foreach (var obj in VaultBackendStore.Objects(vault.Url, vault.CaPem, name))
                {
                    await client.ApplyAsync(obj, new ApplyOptions("bench") { Force = true }, stop.Token);
                }
                await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } },
                    new ApplyOptions("bench"), stop.Token);
                await client.ApplyAsync(EsoResources.ExternalSecrets, (JsonObject)YamlJson.Parse($$"""
                    apiVersion: external-secrets.io/v1
                    kind: ExternalSecret
                    metadata: {name: config-demo-secret, namespace: {{Namespace}}}
                    spec:
                      refreshInterval: {{(int)Refresh.TotalSeconds}}s
                      secretStoreRef: {name: {{VaultBackendStore.StoreName}}, kind: ClusterSecretStore}
                      dataFrom:
                      - extract: {key: secret/data/global/config-demo}
                    """)!, new ApplyOptions("bench"), stop.Token);
                var index = i;
                var secrets = new Informer(client, ResourceRef.Secrets, new InformerOptions { Namespace = Namespace });
                void Seen(JsonObject secret)
                {
                    var value = secret["data"]?["secret"]?.GetValue<string>() is { } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;
                    if (value == "v0")
                    {
                        synced[index] = true;
                    }
                    else if (value == expected)
                    {
                        arrivals.TryAdd(index, DateTimeOffset.UtcNow);
                    }
                }
                secrets.AddEventHandler(new InformerEventHandler { Added = Seen, Updated = (_, n) => Seen(n) });
                running.Add(secrets.RunAsync(stop.Token));
                running.Add(ExternalSecretsController.RunAsync(client, NullLoggerFactory.Instance, new ExternalSecretsOptions { InstallCrds = false, Workers = 1 }, stop.Token));
            }
            while (synced.Count < count)
            {
                if (setup.Elapsed > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException($"only {synced.Count} of {count} clusters synced the first value");
                }
                await Task.Delay(100);
            }
            Console.Error.WriteLine($"{count} clusters up and synced in {setup.Elapsed.TotalSeconds:F0}s");
            // Let the refresh phases of the clusters spread as they would in a fleet that has been running a while.
            await Task.Delay(Refresh * 2);

            var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            expected = "v1";
            var changed = DateTimeOffset.UtcNow;
            await admin.KvWriteAsync(VaultLayout.KvMount, "global/config-demo", new JsonObject { ["secret"] = expected });
            var deadline = Stopwatch.StartNew();
            while (arrivals.Count < count && deadline.Elapsed < Refresh * 6)
            {
                await Task.Delay(50);
            }
            self.Refresh();
            var cpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
            var wall = deadline.Elapsed.TotalSeconds;
            if (arrivals.Count < count)
            {
                throw new TimeoutException($"only {arrivals.Count} of {count} clusters got the new value within {Refresh * 6}");
            }
            var delays = arrivals.Values.Select(t => (t - changed).TotalSeconds).Order().ToList();
            double Percentile(double p) => delays[Math.Min(delays.Count - 1, (int)Math.Ceiling(p * delays.Count) - 1)];
            return
            [
                new BenchRow($"secret change → {count} clusters, all", delays[^1], "s", null, $"≤ {Refresh.TotalSeconds:0} s", false),
                new BenchRow($"secret change → {count} clusters, p50", Percentile(0.5), "s", null, "-", false),
                new BenchRow($"secret change → {count} clusters, p95", Percentile(0.95), "s", null, "-", false),
                new BenchRow($"CPU while propagating ({count} clusters)", cpuSeconds / wall * 100, "% of 1 core", null, "-", false),
            ];
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(running);
            }
            catch (OperationCanceledException)
            {
            }
            foreach (var (server, client) in clusters)
            {
                client.Dispose();
                await server.DisposeAsync();
            }
            try
            {
                Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
