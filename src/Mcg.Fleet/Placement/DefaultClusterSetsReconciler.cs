using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Creates the <c>default</c> and <c>global</c> ManagedClusterSets when missing (also after a deletion) and rolls back
/// changes to their <c>spec.clusterSelector</c>, unless annotated <c>cluster.open-cluster-management.io/autoupdate: "false"</c>
/// (upstream's DefaultManagedClusterSetController and GlobalManagedClusterSetController). Keys are the two set names.
/// </summary>
public sealed class DefaultClusterSetsReconciler(IKubeClient client, FleetView fleet, ILogger<DefaultClusterSetsReconciler> logger) : IReconciler
{
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!DefaultClusterSets.Names.Contains(key))
        {
            return ReconcileResult.Done;
        }
        var set = fleet.ClusterSet(key);
        if (set is null)
        {
            try
            {
                await client.CreateAsync(OcmCrds.ManagedClusterSets, DefaultClusterSets.Object(key),
                    new WriteOptions { FieldManager = PlacementReconciler.FieldManager }, ct);
                logger.LogInformation("Created ManagedClusterSet {ClusterSet}", key);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                // the informer has not seen it yet
            }
            return ReconcileResult.Done;
        }
        if (set.Annotations().GetValueOrDefault(OcmLabels.AutoUpdateAnnotation) == "false" || set["metadata"]?["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        var wanted = DefaultClusterSets.ClusterSelector(key);
        if (!JsonNode.DeepEquals(set["spec"]?["clusterSelector"], wanted))
        {
            var updated = (JsonObject)set.DeepClone();
            if (updated["spec"] is not JsonObject spec)
            {
                updated["spec"] = spec = [];
            }
            spec["clusterSelector"] = wanted;
            await client.UpdateAsync(OcmCrds.ManagedClusterSets, updated, new WriteOptions { FieldManager = PlacementReconciler.FieldManager }, ct);
            logger.LogInformation("Rolled back the spec.clusterSelector of ManagedClusterSet {ClusterSet}", key);
        }
        return ReconcileResult.Done;
    }
}
