using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Fleet.Placement;

/// <summary>Queries over the informer caches: cluster-set membership, valid bindings, decisions. Read-only.</summary>
public sealed class FleetView(PlacementInformers informers)
{
    // Cached objects are replaced, never changed, on update: parse each once.
    private readonly ConditionalWeakTable<JsonObject, ManagedClusterInfo> _parsed = new();

    public PlacementInformers Informers { get; } = informers;

    public IReadOnlyList<ManagedClusterInfo> Clusters() =>
        Informers.Clusters.List().Select(c => _parsed.GetValue(c, ManagedClusterInfo.FromObject)).ToList();

    public JsonObject? ClusterSet(string name) => Informers.ClusterSets.Get(null, name);

    /// <summary>Member clusters of a ManagedClusterSet, deleting ones included (as upstream counts them).</summary>
    public IReadOnlyList<ManagedClusterInfo> MembersOf(JsonObject clusterSet, IReadOnlyList<ManagedClusterInfo>? clusters = null)
    {
        var selector = ClusterSetSelector.FromObject(clusterSet);
        return (clusters ?? Clusters()).Where(c => selector.Matches(c.Labels)).ToList();
    }

    /// <summary>The names of the cluster sets the cluster (object) belongs to.</summary>
    public IReadOnlyList<string> SetsOf(JsonObject cluster)
    {
        var labels = cluster.Labels();
        return Informers.ClusterSets.List().Select(ClusterSetSelector.FromObject).Where(s => s.Matches(labels)).Select(s => s.SetName).ToList();
    }

    /// <summary>
    /// Bindings in the namespace whose ManagedClusterSet exists. The binding's name names the set (as in upstream's
    /// scheduler) and must equal spec.clusterSet (which upstream's admission webhook enforces).
    /// </summary>
    public IReadOnlyList<JsonObject> ValidBindings(string ns) =>
        Informers.Bindings.List()
            .Where(b => b.Namespace() == ns && b["spec"]?["clusterSet"] is JsonValue v && v.TryGetValue<string>(out var set)
                && set == b.Name() && ClusterSet(set) is not null)
            .ToList();

    /// <summary>Namespaces with a binding to the set (by name or spec.clusterSet).</summary>
    public IReadOnlyList<string> NamespacesBoundTo(string setName) =>
        Informers.Bindings.List()
            .Where(b => b.Name() == setName || b["spec"]?["clusterSet"]?.GetValue<string>() == setName)
            .Select(b => b.Namespace()!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    public IReadOnlyList<string> PlacementKeysIn(string ns) =>
        Informers.Placements.List().Where(p => p.Namespace() == ns).Select(ObjectKeys.KeyOf).ToList();

    /// <summary>The PlacementDecisions labelled as the placement's.</summary>
    public IReadOnlyList<JsonObject> DecisionsOf(string ns, string placement) =>
        Informers.Decisions.List()
            .Where(d => d.Namespace() == ns && d.Labels().TryGetValue(OcmLabels.Placement, out var p) && p == placement)
            .ToList();

    /// <summary>Per cluster, in how many decisions of all other placements it appears (for Balance).</summary>
    public IReadOnlyDictionary<string, int> DecisionCountsExcept(string ns, string placement)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var decision in Informers.Decisions.List())
        {
            if (decision.Namespace() == ns && decision.Labels().TryGetValue(OcmLabels.Placement, out var p) && p == placement)
            {
                continue;
            }
            foreach (var name in ClusterNames(decision))
            {
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
        }
        return counts;
    }

    public static IEnumerable<string> ClusterNames(JsonObject decision) =>
        (decision["status"]?["decisions"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(d => d.GetString("clusterName") ?? "")
            .Where(n => n.Length > 0);
}
