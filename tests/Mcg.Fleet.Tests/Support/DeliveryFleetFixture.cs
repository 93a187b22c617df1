using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.Fleet.Tests.Support;

/// <summary>
/// The fleet the application delivery tests share (real processes, started once): a hub and three virtual clusters
/// with their agents, labelled <c>cloud=AWS|Azure|GCP</c> and <c>clusterGroup=group-one</c>. Only <c>gcp-1</c> runs
/// the simulators (one node), so Jobs there run to completion as on a real cluster; the others serve the API only.
/// </summary>
public sealed class DeliveryFleetFixture : IAsyncLifetime
{
    /// <summary>The test collection sharing this fleet (its classes run one after the other).</summary>
    public const string Collection = "delivery fleet";

    public static readonly string[] Names = ["aws-1", "azure-1", "gcp-1"];

    public FleetProcesses Fleet { get; } = new();

    public async Task InitializeAsync()
    {
        await Fleet.StartHubAsync("--app-resync", "2");
        await Fleet.AddClusterAsync("aws-1", "cloud=AWS", "clusterGroup=group-one");
        await Fleet.AddClusterAsync("azure-1", "cloud=Azure", "clusterGroup=group-one");
        await Fleet.AddClusterAsync("gcp-1", ["--nodes", "1"], "cloud=GCP", "clusterGroup=group-one");
        foreach (var name in Names)
        {
            // The hub keeps an Argo CD cluster Secret per managed cluster, as ACM's GitOpsCluster does.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await GetAsync(Fleet.Hub, $"-n argocd secret {name}-application-manager-cluster-secret") is not { } secret || secret["metadata"]?["labels"]?["cloud"] is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"no cluster secret for {name}: {Fleet.Log}");
                }
                await Task.Delay(250);
            }
        }
    }

    public Task DisposeAsync() => Fleet.DisposeAsync().AsTask();

    public Kubectl Cluster(string name) => new(Fleet.Clusters[name].KubeconfigPath);

    public static async Task<JsonObject?> GetAsync(Kubectl kubectl, string args)
    {
        var r = await kubectl.RunAsync($"get {args} -o json");
        return r.ExitCode == 0 ? (JsonObject)JsonNode.Parse(r.Out)! : null;
    }
}

[CollectionDefinition(DeliveryFleetFixture.Collection)]
public sealed class DeliveryFleetCollection : ICollectionFixture<DeliveryFleetFixture>;
