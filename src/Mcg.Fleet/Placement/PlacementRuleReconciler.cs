using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Writes a PlacementRule's <c>status.decisions[] {clusterName, clusterNamespace}</c> (the namespace of a
/// ManagedCluster on the hub is its name) from <see cref="PlacementRuleSelector"/>. Rules naming another
/// <c>spec.schedulerName</c> than default/mcm are left to that scheduler. Any relevant cluster change re-evaluates all rules.
/// </summary>
public sealed class PlacementRuleReconciler(IKubeClient client, FleetView fleet, ILogger<PlacementRuleReconciler> logger) : IReconciler
{
    public void Register(Action<string> enqueue) =>
        fleet.Informers.Clusters.AddEventHandler(new InformerEventHandler
        {
            Added = _ => EnqueueAll(enqueue),
            Updated = (o, n) =>
            {
                if (ClusterChanges.AffectsPlacementRules(o, n))
                {
                    EnqueueAll(enqueue);
                }
            },
            Deleted = _ => EnqueueAll(enqueue),
        });

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var rule = fleet.Informers.PlacementRules.GetByKey(key);
        if (rule is null || rule["metadata"]?["deletionTimestamp"] is not null
            || rule["spec"]?["schedulerName"] is JsonValue s && s.TryGetValue<string>(out var scheduler) && scheduler is not ("" or "default" or "mcm"))
        {
            return ReconcileResult.Done;
        }
        IReadOnlyList<string> selected;
        try
        {
            selected = PlacementRuleSelector.Select(rule, fleet.Clusters());
        }
        catch (FormatException e)
        {
            logger.LogWarning("PlacementRule {PlacementRule} has an invalid cluster selector: {Message}", key, e.Message);
            return ReconcileResult.Done;
        }
        JsonNode? decisions = selected.Count == 0
            ? null
            : new JsonArray(selected.Select(c => (JsonNode)new JsonObject { ["clusterName"] = c, ["clusterNamespace"] = c }).ToArray());
        if (JsonNode.DeepEquals(rule["status"]?["decisions"], decisions))
        {
            return ReconcileResult.Done;
        }
        await client.PatchAsync(OcmCrds.PlacementRules, rule.Namespace(), rule.Name()!, PatchType.Merge,
            new JsonObject { ["status"] = new JsonObject { ["decisions"] = decisions } },
            new PatchOptions { FieldManager = PlacementReconciler.FieldManager, Subresource = "status" }, ct);
        logger.LogInformation("PlacementRule {PlacementRule} now selects [{Clusters}]", key, string.Join(",", selected));
        return ReconcileResult.Done;
    }

    private void EnqueueAll(Action<string> enqueue)
    {
        foreach (var rule in fleet.Informers.PlacementRules.List())
        {
            enqueue(ObjectKeys.KeyOf(rule));
        }
    }
}
