using System.Text.Json.Nodes;
using Mcg.Fleet;
using Mcg.Fleet.Crds;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;

namespace Mcg.Cli.Up;

/// <summary>The fleet as the hub sees it at one moment: clusters and Applications with their states.</summary>
public sealed record FleetSnapshot(IReadOnlyList<ClusterState> Clusters, IReadOnlyList<AppState> Applications)
{
    public bool AllGreen(int expectedClusters) =>
        Clusters.Count(c => c.Available) >= expectedClusters && Applications.All(a => a.Green);

    public static async Task<FleetSnapshot> ReadAsync(IKubeClient hub, CancellationToken ct)
    {
        var clusters = (await hub.ListAsync(OcmCrds.ManagedClusters, null, null, ct)).Items.Select(ClusterState.From).ToList();
        var apps = (await hub.ListAsync(ApplicationController.Applications, null, null, ct)).Items.Select(AppState.From).ToList();
        return new FleetSnapshot(clusters, apps);
    }
}

public sealed record ClusterState(string Name, bool Available, string Cloud, string Labels)
{
    public static ClusterState From(JsonObject c)
    {
        var labels = c["metadata"]?["labels"] as JsonObject ?? [];
        return new ClusterState(c["metadata"]?["name"]?.ToString() ?? "",
            Conditions.Get(c["status"] as JsonObject, "ManagedClusterConditionAvailable") == "True",
            labels["cloud"]?.ToString() ?? "",
            string.Join(",", labels.Select(l => $"{l.Key}={l.Value}")));
    }
}

public sealed record AppState(string Namespace, string Name, string Destination, string Sync, string Health, string Message)
{
    public bool Green => Sync == "Synced" && Health == "Healthy";

    public static AppState From(JsonObject a)
    {
        var destination = a["spec"]?["destination"];
        var conditions = a["status"]?["conditions"] as JsonArray;
        var message = conditions?.OfType<JsonObject>().Select(c => c["message"]?.ToString()).FirstOrDefault(m => !string.IsNullOrEmpty(m))
            ?? a["status"]?["operationState"]?["message"]?.ToString() ?? "";
        return new AppState(a["metadata"]?["namespace"]?.ToString() ?? "", a["metadata"]?["name"]?.ToString() ?? "",
            destination?["name"]?.ToString() ?? destination?["server"]?.ToString() ?? "",
            a["status"]?["sync"]?["status"]?.ToString() ?? "Unknown",
            a["status"]?["health"]?["status"]?.ToString() ?? "Unknown", message);
    }
}
