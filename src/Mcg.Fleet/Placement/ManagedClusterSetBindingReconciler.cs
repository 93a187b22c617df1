using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Keeps a ManagedClusterSetBinding's <c>Bound</c> condition: True (ClusterSetBound) while the set named by
/// <c>spec.clusterSet</c> exists, else False (ClusterSetNotFound). Upstream's admission webhook rejects a binding whose
/// name differs from spec.clusterSet; without the webhook such a binding is reported False (ClusterSetNameMismatch)
/// and placements ignore it. Set changes map to the bindings naming the set.
/// </summary>
public sealed class ManagedClusterSetBindingReconciler(IKubeClient client, FleetView fleet, TimeProvider? clock = null) : IReconciler
{
    public const string ConditionBound = "Bound";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public void Register(Action<string> enqueue) =>
        fleet.Informers.ClusterSets.AddEventHandler(new InformerEventHandler
        {
            Added = s => EnqueueBindingsOf(enqueue, s.Name()!),
            Updated = (_, s) => EnqueueBindingsOf(enqueue, s.Name()!),
            Deleted = s => EnqueueBindingsOf(enqueue, s.Name()!),
        });

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var binding = fleet.Informers.Bindings.GetByKey(key);
        if (binding is null || binding["metadata"]?["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        var setName = binding["spec"]?["clusterSet"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var (status, reason, message) = setName != binding.Name()
            ? ("False", "ClusterSetNameMismatch", "The ManagedClusterSetBinding name must match spec.clusterSet")
            : fleet.ClusterSet(setName) is null
                ? ("False", "ClusterSetNotFound", "")
                : ("True", "ClusterSetBound", "");
        var conditions = StatusConditions.CopyOf(binding);
        if (StatusConditions.Set(conditions, ConditionBound, status, reason, message, _clock.GetUtcNow()))
        {
            await client.PatchAsync(OcmCrds.ManagedClusterSetBindings, binding.Namespace(), binding.Name()!, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions } },
                new PatchOptions { FieldManager = PlacementReconciler.FieldManager, Subresource = "status" }, ct);
        }
        return ReconcileResult.Done;
    }

    private void EnqueueBindingsOf(Action<string> enqueue, string setName)
    {
        foreach (var binding in fleet.Informers.Bindings.List())
        {
            if (binding.Name() == setName || binding["spec"]?["clusterSet"]?.GetValue<string>() == setName)
            {
                enqueue(ObjectKeys.KeyOf(binding));
            }
        }
    }
}
