using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Does what upstream's ManagedCluster mutating webhook does, after the fact: a cluster without (or with an empty)
/// <c>cluster.open-cluster-management.io/clusterset</c> label gets <c>default</c> (the DefaultClusterSet feature, on by
/// default), and taints without <c>timeAdded</c> get the current time (tolerationSeconds count from it). Writes with
/// the cached resourceVersion, so a concurrent change wins and the cluster is looked at again.
/// </summary>
public sealed class ManagedClusterDefaulter(IKubeClient client, FleetView fleet, ILogger<ManagedClusterDefaulter> logger, TimeProvider? clock = null)
    : IReconciler
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Whether the cluster (object) lacks something this defaulter fills in.</summary>
    public static bool NeedsDefaults(JsonObject cluster) =>
        string.IsNullOrEmpty(cluster.Labels().GetValueOrDefault(OcmLabels.ClusterSet))
        || (cluster["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>().Any(t => string.IsNullOrEmpty(t.GetString("timeAdded")));

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var cached = fleet.Informers.Clusters.GetByKey(key);
        if (cached is null || cached["metadata"]?["deletionTimestamp"] is not null || !NeedsDefaults(cached))
        {
            return ReconcileResult.Done;
        }
        var cluster = (JsonObject)cached.DeepClone();
        var metadata = cluster.Metadata();
        if (metadata["labels"] is not JsonObject labels)
        {
            metadata["labels"] = labels = [];
        }
        if (string.IsNullOrEmpty(labels[OcmLabels.ClusterSet]?.GetValue<string>()))
        {
            labels[OcmLabels.ClusterSet] = OcmLabels.DefaultClusterSetName;
        }
        var now = _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        foreach (var taint in (cluster["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (string.IsNullOrEmpty(taint.GetString("timeAdded")))
            {
                taint["timeAdded"] = now;
            }
        }
        try
        {
            await client.UpdateAsync(OcmCrds.ManagedClusters, cluster, new WriteOptions { FieldManager = PlacementReconciler.FieldManager }, ct);
            logger.LogDebug("Defaulted the clusterset label / taint times of ManagedCluster {Cluster}", key);
        }
        catch (KubeApiException e) when (e.IsConflict || e.IsNotFound)
        {
            // changed or gone meanwhile: the informer brings the new state and the key back
        }
        return ReconcileResult.Done;
    }
}
