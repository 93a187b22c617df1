using System.Text.Json.Nodes;
using Mcg.Fleet.Placement;

namespace Mcg.Fleet.Tests.Placement;

/// <summary>Builders for the pure-logic tests.</summary>
internal static class TestClusters
{
    public static ManagedClusterInfo Cluster(string name, IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? claims = null, IReadOnlyList<ClusterTaint>? taints = null, bool available = true) =>
        new()
        {
            Name = name,
            Labels = labels ?? new Dictionary<string, string>(),
            Claims = claims ?? new Dictionary<string, string>(),
            Taints = taints ?? [],
            Conditions = [new ClusterCondition("ManagedClusterConditionAvailable", available ? "True" : "False")],
        };

    public static PlacementSpec Spec(string json) =>
        PlacementSpec.FromObject(new JsonObject { ["spec"] = JsonNode.Parse(json) });

    public static IReadOnlySet<string> None => new HashSet<string>();

    public static IReadOnlyDictionary<string, int> NoCounts => new Dictionary<string, int>();

    public static IReadOnlyList<string> Names(IEnumerable<ManagedClusterInfo> clusters) => clusters.Select(c => c.Name).ToList();
}
