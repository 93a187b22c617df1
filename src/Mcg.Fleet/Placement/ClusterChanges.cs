using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>Which ManagedCluster updates matter to which controller (status heartbeats alone matter to none).</summary>
public static class ClusterChanges
{
    /// <summary>Labels, claims, taints, allocatable/capacity or deletion changed: placements may decide differently.</summary>
    public static bool AffectsPlacements(JsonObject oldCluster, JsonObject newCluster) =>
        LabelsChanged(oldCluster, newCluster)
        || Changed(oldCluster, newCluster, o => o["status"]?["clusterClaims"])
        || Changed(oldCluster, newCluster, o => o["spec"]?["taints"])
        || Changed(oldCluster, newCluster, o => o["status"]?["allocatable"])
        || Changed(oldCluster, newCluster, o => o["status"]?["capacity"])
        || Changed(oldCluster, newCluster, o => o["metadata"]?["deletionTimestamp"]);

    /// <summary>What placements care about, or the condition statuses (PlacementRule clusterConditions).</summary>
    public static bool AffectsPlacementRules(JsonObject oldCluster, JsonObject newCluster) =>
        AffectsPlacements(oldCluster, newCluster)
        || !ConditionStatuses(oldCluster).SequenceEqual(ConditionStatuses(newCluster));

    public static bool LabelsChanged(JsonObject oldCluster, JsonObject newCluster) =>
        Changed(oldCluster, newCluster, o => o["metadata"]?["labels"]);

    private static bool Changed(JsonObject a, JsonObject b, Func<JsonObject, JsonNode?> field) => !JsonNode.DeepEquals(field(a), field(b));

    private static IEnumerable<(string?, string?)> ConditionStatuses(JsonObject cluster) =>
        (cluster["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => (c.GetString("type"), c.GetString("status")))
            .OrderBy(c => c.Item1, StringComparer.Ordinal);
}
