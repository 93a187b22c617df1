using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Schedules a Placement (upstream's SchedulingController): candidate clusters are the members of the cluster sets
/// bound to its namespace (intersected with <c>spec.clusterSets</c>), <see cref="PlacementScheduler"/> selects among
/// them, <see cref="DecisionGrouper"/> splits the result into owned PlacementDecisions, and the Placement's status
/// gets numberOfSelectedClusters, decisionGroups and the PlacementMisconfigured / PlacementSatisfied conditions.
/// </summary>
public sealed class PlacementReconciler(IKubeClient client, FleetView fleet, ILogger<PlacementReconciler> logger, TimeProvider? clock = null)
    : IReconciler
{
    public const string FieldManager = "mcg-placement-controller";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var placement = fleet.Informers.Placements.GetByKey(key);
        if (placement is null || placement["metadata"]?["deletionTimestamp"] is not null
            || placement.Annotations().GetValueOrDefault(OcmLabels.PlacementDisableAnnotation) == "true")
        {
            return ReconcileResult.Done; // decisions of a deleted placement go with it (ownerReferences)
        }
        var ns = placement.Namespace()!;
        var name = placement.Name()!;
        var now = _clock.GetUtcNow();

        PlacementMisconfiguredException? misconfigured = null;
        PlacementSpec spec;
        try
        {
            spec = PlacementSpec.FromObject(placement);
        }
        catch (PlacementMisconfiguredException e)
        {
            misconfigured = e;
            spec = new PlacementSpec { ClusterSets = PlacementSpec.ClusterSetsOf(placement) };
        }

        var bindings = fleet.ValidBindings(ns);
        var bound = bindings.Select(b => b.Name()!).ToHashSet(StringComparer.Ordinal);
        var eligible = (spec.ClusterSets.Count > 0 ? bound.Intersect(spec.ClusterSets) : bound).Order(StringComparer.Ordinal).ToList();
        var clusters = fleet.Clusters();
        var candidates = eligible
            .Select(fleet.ClusterSet)
            .OfType<JsonObject>()
            .SelectMany(set => fleet.MembersOf(set, clusters))
            .Where(c => !c.Deleting)
            .DistinctBy(c => c.Name)
            .ToList();

        var current = fleet.DecisionsOf(ns, name);
        var existing = current.SelectMany(FleetView.ClusterNames).ToHashSet(StringComparer.Ordinal);
        var result = misconfigured is null
            ? PlacementScheduler.Schedule(spec, candidates, existing, fleet.DecisionCountsExcept(ns, name), now)
            : new ScheduleResult();
        IReadOnlyList<DecisionGroupPlan> groups;
        try
        {
            groups = DecisionGrouper.Plan(name, spec.GroupStrategy, result.Selected);
        }
        catch (PlacementMisconfiguredException e)
        {
            misconfigured = e;
            result = new ScheduleResult();
            groups = DecisionGrouper.Plan(name, GroupStrategy.None, []);
        }
        if (misconfigured is not null)
        {
            logger.LogInformation("Placement {Placement} is misconfigured: {Message}", key, misconfigured.Message);
        }

        var planned = groups.SelectMany(g => g.Decisions).ToList();
        foreach (var decision in planned)
        {
            await WriteDecisionAsync(placement, decision, ct);
        }
        foreach (var stale in current.Where(d => planned.All(p => p.Name != d.Name())))
        {
            await client.DeleteAsync(OcmCrds.PlacementDecisions, ns, stale.Name()!, null, ct);
            logger.LogInformation("Deleted PlacementDecision {Namespace}/{Decision} of placement {Placement}", ns, stale.Name(), name);
        }

        var satisfied = PlacementConditions.SatisfiedCondition(spec.ClusterSets, eligible, bindings.Count, candidates.Count,
            result.Selected.Count, result.Unscheduled);
        await WriteStatusAsync(placement, groups, result.Selected.Count, PlacementConditions.MisconfiguredCondition(misconfigured), satisfied, now, ct);

        if (result.RescheduleAt is { } at)
        {
            var delay = at - now;
            return ReconcileResult.After(delay > TimeSpan.FromSeconds(1) ? delay : TimeSpan.FromSeconds(1));
        }
        return ReconcileResult.Done;
    }

    private async Task WriteDecisionAsync(JsonObject placement, PlacementDecisionPlan plan, CancellationToken ct)
    {
        var ns = placement.Namespace()!;
        var labels = new JsonObject
        {
            [OcmLabels.Placement] = placement.Name(),
            [OcmLabels.DecisionGroupName] = plan.GroupName,
            [OcmLabels.DecisionGroupIndex] = plan.GroupIndex.ToString(CultureInfo.InvariantCulture),
        };
        var owner = new JsonArray(new JsonObject
        {
            ["apiVersion"] = OcmCrds.Placements.ApiVersion,
            ["kind"] = OcmCrds.Placements.Kind,
            ["name"] = placement.Name(),
            ["uid"] = placement.Uid(),
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var decision = fleet.Informers.Decisions.Get(ns, plan.Name);
        if (decision is null)
        {
            try
            {
                decision = await client.CreateAsync(OcmCrds.PlacementDecisions, new JsonObject
                {
                    ["apiVersion"] = OcmCrds.PlacementDecisions.ApiVersion,
                    ["kind"] = OcmCrds.PlacementDecisions.Kind,
                    ["metadata"] = new JsonObject { ["name"] = plan.Name, ["namespace"] = ns, ["labels"] = labels.DeepClone(), ["ownerReferences"] = owner.DeepClone() },
                }, new WriteOptions { FieldManager = FieldManager }, ct);
                logger.LogInformation("Created PlacementDecision {Namespace}/{Decision}", ns, plan.Name);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                decision = await client.GetAsync(OcmCrds.PlacementDecisions, ns, plan.Name, ct)
                    ?? throw new InvalidOperationException($"PlacementDecision {ns}/{plan.Name} vanished while being created", e);
            }
        }

        var metadataPatch = new JsonObject();
        var currentLabels = decision.Labels();
        if (labels.Any(l => currentLabels.GetValueOrDefault(l.Key) != l.Value!.GetValue<string>()))
        {
            metadataPatch["labels"] = labels;
        }
        var owners = decision["metadata"]?["ownerReferences"] as JsonArray;
        if (owners is null || !owners.OfType<JsonObject>().Any(o => o.GetString("uid") == placement.Uid()))
        {
            metadataPatch["ownerReferences"] = owner;
        }
        if (metadataPatch.Count > 0)
        {
            await client.PatchAsync(OcmCrds.PlacementDecisions, ns, plan.Name, PatchType.Merge,
                new JsonObject { ["metadata"] = metadataPatch }, new PatchOptions { FieldManager = FieldManager }, ct);
        }

        var decisions = new JsonArray(plan.Clusters.Select(c => (JsonNode)new JsonObject { ["clusterName"] = c, ["reason"] = "" }).ToArray());
        if (!JsonNode.DeepEquals(decision["status"]?["decisions"], decisions))
        {
            await client.PatchAsync(OcmCrds.PlacementDecisions, ns, plan.Name, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["decisions"] = decisions } },
                new PatchOptions { FieldManager = FieldManager, Subresource = "status" }, ct);
            logger.LogInformation("PlacementDecision {Namespace}/{Decision} now selects [{Clusters}]", ns, plan.Name, string.Join(",", plan.Clusters));
        }
    }

    private async Task WriteStatusAsync(JsonObject placement, IReadOnlyList<DecisionGroupPlan> groups, int selected,
        ConditionValue misconfigured, ConditionValue satisfied, DateTimeOffset now, CancellationToken ct)
    {
        var conditions = StatusConditions.CopyOf(placement);
        StatusConditions.Set(conditions, PlacementConditions.Misconfigured, misconfigured.Status, misconfigured.Reason, misconfigured.Message, now);
        StatusConditions.Set(conditions, PlacementConditions.Satisfied, satisfied.Status, satisfied.Reason, satisfied.Message, now);
        var decisionGroups = new JsonArray(groups.Select(g => (JsonNode)new JsonObject
        {
            ["decisionGroupIndex"] = g.Index,
            ["decisionGroupName"] = g.Name,
            ["decisions"] = new JsonArray(g.Decisions.Select(d => (JsonNode)JsonValue.Create(d.Name)).ToArray()),
            ["clusterCount"] = g.Clusters.Count,
        }).ToArray());
        var status = new JsonObject
        {
            ["numberOfSelectedClusters"] = selected,
            ["decisionGroups"] = decisionGroups,
            ["conditions"] = conditions,
        };
        var current = placement["status"] as JsonObject;
        if (status.All(field => JsonNode.DeepEquals(current?[field.Key], field.Value)))
        {
            return;
        }
        await client.PatchAsync(OcmCrds.Placements, placement.Namespace(), placement.Name()!, PatchType.Merge,
            new JsonObject { ["status"] = status }, new PatchOptions { FieldManager = FieldManager, Subresource = "status" }, ct);
    }
}
