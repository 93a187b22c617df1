using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Simulation;
using Mcg.Storage.Tests.Support;

namespace Mcg.Storage.Tests;

/// <summary>A virtual cluster restarted on its data directory keeps its nodes, workloads and volume bytes, and simulates on.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_restarted_virtual_cluster_keeps_its_volumes_data_and_keeps_simulating()
    {
        await using var server = await ServerProcess.StartAsync(null, "--nodes", "3");
        using (var client = Connect(server))
        {
            await ApplyAsync(client, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: portworx}
                ---
                apiVersion: core.libopenstorage.org/v1
                kind: StorageCluster
                metadata: {name: px, namespace: portworx}
                spec: {image: "portworx/oci-monitor:3.0.3", kvdb: {internal: true}, cloudStorage: {deviceSpecs: ["size=10"]}}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data, namespace: default}
                spec: {storageClassName: px-csi-replicated, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: app, namespace: default}
                spec:
                  restartPolicy: Always
                  containers: [{name: app, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
                """);
            await WaitReadyAsync(client, "app");
        }
        Assert.Equal(0, (await McgCli.RunAsync(server.KubeconfigPath, "cluster", "exec", "app", "--", "write", "/data/kept", "across restarts")).Exit);

        await server.RestartAsync(kill: false);

        using (var client = Connect(server))
        {
            var read = await McgCli.RunAsync(server.KubeconfigPath, "cluster", "exec", "app", "--", "read", "/data/kept");
            Assert.True(read.Exit == 0, read.Err);
            Assert.Equal("across restarts", read.Out);
            Assert.Equal(3, (await client.ListAsync(Resources.Nodes, null)).Items.Count);
            await ApplyAsync(client, """
                apiVersion: v1
                kind: Pod
                metadata: {name: after, namespace: default}
                spec:
                  restartPolicy: Always
                  containers: [{name: app, image: busybox}]
                """);
            await WaitReadyAsync(client, "after");
        }
    }

    private static KubernetesClientKubeClient Connect(ServerProcess server) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));

    private static async Task ApplyAsync(IKubeClient client, string yaml)
    {
        foreach (var doc in YamlJson.ParseAll(yaml).OfType<JsonObject>())
        {
            await client.CreateAsync(await client.ResolveAsync(doc), doc);
        }
    }

    private static async Task WaitReadyAsync(IKubeClient client, string pod) =>
        await Eventually.TrueAsync(async () =>
            (await client.GetAsync(Resources.Pods, "default", pod)) is { } p && WorkloadSimulationTests.Condition(p, "Ready") == "True",
            $"pod {pod} is Ready", TimeSpan.FromSeconds(90));
}
