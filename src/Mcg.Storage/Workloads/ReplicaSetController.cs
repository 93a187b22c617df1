using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>The ReplicaSet controller: keeps <c>spec.replicas</c> active pods and reports replicas, ready and available counts.</summary>
public sealed class ReplicaSetController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
    TimeProvider clock, ILogger<Controller> logger)
    : WorkloadController("replicaset-controller", Simulation.Resources.ReplicaSets, client, informers, events, options, clock, logger)
{
    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } rs || rs.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        if (!ExpectationsMet(rs))
        {
            return WaitForCache;
        }
        var desired = (int)(rs.OptionalInt("spec", "replicas") ?? 1);
        var pods = OwnedPods(rs);
        foreach (var failed in pods.Where(p => p.Str("status", "phase") == "Failed" && !p.IsDeleting()))
        {
            await DeletePodAsync(rs, failed, ct);
        }
        var active = pods.Where(Pods.IsActive).ToList();
        for (var i = active.Count; i < desired; i++)
        {
            await CreatePodAsync(rs, Pods.FromTemplate(rs, rs.Obj("spec", "template") ?? [], null), ct);
        }
        // Delete the least useful first: unscheduled, then pending, then not ready, then the newest.
        foreach (var extra in active.OrderBy(p => p.Str("spec", "nodeName").Length > 0).ThenBy(p => p.Str("status", "phase") == "Running")
                     .ThenBy(Pods.IsReady).ThenByDescending(p => p.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).Take(Math.Max(0, active.Count - desired)))
        {
            await DeletePodAsync(rs, extra, ct);
        }
        var ready = active.Count(Pods.IsReady);
        var status = OmitZero(new JsonObject
        {
            ["replicas"] = active.Count,
            ["fullyLabeledReplicas"] = active.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = rs.Int("metadata", "generation"),
        }, "replicas");
        await StatusWriter.WriteAsync(Client, Resource, rs, status, ct);
        return ReconcileResult.Done;
    }
}
