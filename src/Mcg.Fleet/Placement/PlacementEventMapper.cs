using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Maps changes of clusters, cluster sets, bindings and decisions to the Placements they may affect (upstream's
/// enqueuer): a cluster → placements in namespaces bound to any set it belongs (or belonged) to; a set → placements
/// in namespaces bound to it; a binding → placements in its namespace; a decision → its placement.
/// </summary>
public sealed class PlacementEventMapper(FleetView fleet)
{
    /// <summary>Handlers that enqueue the affected placements' keys.</summary>
    public void Register(Action<string> enqueue)
    {
        var informers = fleet.Informers;
        informers.Clusters.AddEventHandler(new InformerEventHandler
        {
            Added = c => EnqueueAll(enqueue, ForCluster(c)),
            Updated = (o, n) =>
            {
                if (ClusterChanges.AffectsPlacements(o, n))
                {
                    EnqueueAll(enqueue, ForCluster(o).Concat(ForCluster(n)));
                }
            },
            Deleted = c => EnqueueAll(enqueue, ForCluster(c)),
        });
        informers.ClusterSets.AddEventHandler(Handler(enqueue, s => ForClusterSet(s.Name()!)));
        informers.Bindings.AddEventHandler(Handler(enqueue, b => fleet.PlacementKeysIn(b.Namespace()!)));
        informers.Decisions.AddEventHandler(Handler(enqueue, ForDecision));
    }

    public IEnumerable<string> ForCluster(JsonObject cluster) => fleet.SetsOf(cluster).SelectMany(ForClusterSet);

    public IEnumerable<string> ForClusterSet(string setName) => fleet.NamespacesBoundTo(setName).SelectMany(fleet.PlacementKeysIn);

    public static IEnumerable<string> ForDecision(JsonObject decision) =>
        decision.Labels().TryGetValue(OcmLabels.Placement, out var placement) && placement.Length > 0
            ? [ObjectKeys.KeyOf(decision.Namespace(), placement)]
            : [];

    private static InformerEventHandler Handler(Action<string> enqueue, Func<JsonObject, IEnumerable<string>> keys) => new()
    {
        Added = o => EnqueueAll(enqueue, keys(o)),
        Updated = (o, n) => EnqueueAll(enqueue, keys(o).Concat(keys(n))),
        Deleted = o => EnqueueAll(enqueue, keys(o)),
    };

    private static void EnqueueAll(Action<string> enqueue, IEnumerable<string> keys)
    {
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            enqueue(key);
        }
    }
}
