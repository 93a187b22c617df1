using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Bench;

/// <summary>
/// The virtual cluster's simulators under load (embedded API server + simulators in process, 10 nodes, Portworx on the
/// nodes' 512 GiB disks): time until a 50-replica StatefulSet with a repl-3 claim per pod is Ready (OrderedReady, as
/// StatefulSets default to, and Parallel), and the rate at which the CSI provisioner binds a burst of claims.
/// </summary>
public static class StorageBench
{
    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var replicas = quick ? 20 : 50;
        var claims = quick ? 100 : 300;
        var dir = Directory.CreateTempSubdirectory("mcg-bench-storage-").FullName;
        try
        {
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = dir });
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
            await using var simulator = new ClusterSimulator(client, new SimulatorOptions { DataDirectory = dir, Nodes = 10 }, NullLoggerFactory.Instance);
            await simulator.StartAsync(CancellationToken.None);
            var sw = Stopwatch.StartNew();
            await CreateAsync(client, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: portworx}
                ---
                apiVersion: core.libopenstorage.org/v1
                kind: StorageCluster
                metadata: {name: px-bench, namespace: portworx}
                spec: {image: "portworx/oci-monitor:3.0.3", kvdb: {internal: true}, storage: {useAll: true}, csi: {enabled: true}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: bench}
                """);
            await WaitAsync(async () => (await client.GetAsync(Resources.StorageClusters, "portworx", "px-bench"))?["status"]?["phase"]?.GetValue<string>() == "Running");
            await WaitAsync(async () => await client.GetAsync(Resources.StorageClasses, null, "px-csi-db") is not null);
            var clusterSeconds = sw.Elapsed.TotalSeconds;

            var ordered = await StatefulSetAsync(client, "ordered", replicas, "OrderedReady");
            var parallel = await StatefulSetAsync(client, "parallel", replicas, "Parallel");
            var rate = await ProvisionBurstAsync(client, claims);
            return
            [
                new BenchRow("StorageCluster Running, 10 nodes", clusterSeconds, "s", null, "-", false),
                new BenchRow($"{replicas}-replica StatefulSet + PVCs Ready (Ordered)", ordered, "s", null, "< 60", false),
                new BenchRow($"{replicas}-replica StatefulSet + PVCs Ready (Parallel)", parallel, "s", null, "< 30", false),
                new BenchRow($"PVC provision+bind rate, burst of {claims}", rate, "PVC/s", null, ">= 20", true),
            ];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<double> StatefulSetAsync(IKubeClient client, string name, int replicas, string policy)
    {
        var sw = Stopwatch.StartNew();
        await CreateAsync(client, $$$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: {{{name}}}, namespace: bench}
            spec:
              replicas: {{{replicas}}}
              podManagementPolicy: {{{policy}}}
              serviceName: {{{name}}}
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec:
                  containers: [{name: db, image: "postgres:14.1-alpine", resources: {requests: {cpu: 100m, memory: 128Mi}}, volumeMounts: [{name: data, mountPath: /data}]}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  storageClassName: px-csi-db
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """);
        await WaitAsync(async () => (await client.GetAsync(Resources.StatefulSets, "bench", name))?["status"]?["readyReplicas"]?.GetValue<long>() == replicas, TimeSpan.FromMinutes(10));
        return sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> ProvisionBurstAsync(IKubeClient client, int count)
    {
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.CreateAsync(Resources.PersistentVolumeClaims, (JsonObject)YamlJson.Parse($$$"""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: claim-{{{i}}}, namespace: bench}
                spec:
                  storageClassName: px-csi-replicated
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                """)!, null, ct));
        await WaitAsync(async () => (await client.ListAsync(Resources.PersistentVolumeClaims, "bench")).Items
            .Count(c => c["metadata"]!["name"]!.GetValue<string>().StartsWith("claim-", StringComparison.Ordinal) && c["status"]?["phase"]?.GetValue<string>() == "Bound") == count,
            TimeSpan.FromMinutes(10));
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task CreateAsync(IKubeClient client, string yaml)
    {
        foreach (var doc in YamlJson.ParseAll(yaml).OfType<JsonObject>())
        {
            await client.CreateAsync(await client.ResolveAsync(doc), doc);
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the storage benchmark timed out waiting for the simulators");
            }
            await Task.Delay(100);
        }
    }
}
