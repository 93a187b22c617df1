using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Keeps a ManagedClusterSet's <c>ClusterSetEmpty</c> condition: True (NoClusterMatched) without members, else False
/// (ClustersSelected, "N ManagedClusters selected"). Keys are set names; cluster label changes map to the sets the
/// cluster left or joined.
/// </summary>
public sealed class ManagedClusterSetReconciler(IKubeClient client, FleetView fleet, ILogger<ManagedClusterSetReconciler> logger, TimeProvider? clock = null)
    : IReconciler
{
    public const string ConditionEmpty = "ClusterSetEmpty";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Enqueues the sets a cluster belongs to, or belonged to before a label change.</summary>
    public void Register(Action<string> enqueue) =>
        fleet.Informers.Clusters.AddEventHandler(new InformerEventHandler
        {
            Added = c => EnqueueAll(enqueue, fleet.SetsOf(c)),
            Updated = (o, n) =>
            {
                if (ClusterChanges.LabelsChanged(o, n))
                {
                    EnqueueAll(enqueue, fleet.SetsOf(o).Concat(fleet.SetsOf(n)));
                }
            },
            Deleted = c => EnqueueAll(enqueue, fleet.SetsOf(c)),
        });

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var set = fleet.ClusterSet(key);
        if (set is null || set["metadata"]?["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        var selector = ClusterSetSelector.FromObject(set);
        if (selector.Error is { } error)
        {
            logger.LogWarning("ManagedClusterSet {ClusterSet} selects no cluster: {Error}", key, error);
        }
        var count = fleet.MembersOf(set).Count;
        var conditions = StatusConditions.CopyOf(set);
        var changed = count == 0
            ? StatusConditions.Set(conditions, ConditionEmpty, "True", "NoClusterMatched", "No ManagedCluster selected", _clock.GetUtcNow())
            : StatusConditions.Set(conditions, ConditionEmpty, "False", "ClustersSelected",
                string.Create(CultureInfo.InvariantCulture, $"{count} ManagedClusters selected"), _clock.GetUtcNow());
        if (changed)
        {
            await client.PatchAsync(OcmCrds.ManagedClusterSets, null, key, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions } },
                new PatchOptions { FieldManager = PlacementReconciler.FieldManager, Subresource = "status" }, ct);
        }
        return ReconcileResult.Done;
    }

    private static void EnqueueAll(Action<string> enqueue, IEnumerable<string> keys)
    {
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            enqueue(key);
        }
    }
}
