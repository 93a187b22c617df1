using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// The Deployment controller: one ReplicaSet per pod template (named by its pod-template-hash); the new one is scaled up
/// to the desired replicas and older ones down to zero once it is available, then the status and the Available and
/// Progressing conditions as upstream's sync.go writes them.
/// </summary>
public sealed class DeploymentController : WorkloadController
{
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private readonly Informer _replicaSets;

    public DeploymentController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
        TimeProvider clock, ILogger<Controller> logger)
        : base("deployment-controller", Simulation.Resources.Deployments, client, informers, events, options, clock, logger)
    {
        _replicaSets = informers.For(Simulation.Resources.ReplicaSets);
        Controller.Watch(_replicaSets, OwnerKeys);
    }

    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } deploy || deploy.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        var uid = deploy.Str("metadata", "uid");
        var owned = _replicaSets.List().Where(rs => rs.ControllerUid() == uid && !rs.IsDeleting()).ToList();
        var template = deploy.Obj("spec", "template")?.Clone() ?? [];
        var hash = TemplateHash(template);
        var desired = deploy.OptionalInt("spec", "replicas") ?? 1;
        var newRs = owned.FirstOrDefault(rs => rs.Str("metadata", "labels", "pod-template-hash") == hash);
        var olds = owned.Where(rs => rs != newRs).ToList();
        var paused = deploy.Bool("spec", "paused");
        if (!paused)
        {
            if (newRs is null)
            {
                newRs = await CreateReplicaSetAsync(deploy, template, hash, desired, owned, ct);
            }
            else if (newRs.Int("spec", "replicas") != desired)
            {
                await ScaleAsync(deploy, newRs, desired, ct);
            }
            if (newRs is not null && newRs.Int("status", "availableReplicas") >= desired)
            {
                foreach (var old in olds.Where(o => o.Int("spec", "replicas") > 0))
                {
                    await ScaleAsync(deploy, old, 0, ct);
                }
            }
        }
        await WriteStatusAsync(deploy, newRs, owned, desired, ct);
        return ReconcileResult.Done;
    }

    private async Task<JsonObject?> CreateReplicaSetAsync(JsonObject deploy, JsonObject template, string hash, long replicas, List<JsonObject> owned, CancellationToken ct)
    {
        var labels = template.Obj("metadata", "labels")?.Clone() ?? [];
        labels["pod-template-hash"] = hash;
        var podTemplate = template.Clone();
        podTemplate.Child("metadata")["labels"] = labels.Clone();
        var selector = deploy.Obj("spec", "selector")?.Clone() ?? [];
        selector.Child("matchLabels")["pod-template-hash"] = hash;
        var revision = owned.Select(rs => long.TryParse(rs.Str("metadata", "annotations", RevisionAnnotation), CultureInfo.InvariantCulture, out var r) ? r : 0)
            .DefaultIfEmpty(0).Max() + 1;
        var name = $"{deploy.Str("metadata", "name")}-{hash}";
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = deploy.Str("metadata", "namespace"),
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(deploy)),
            },
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = podTemplate },
        };
        try
        {
            var created = await Client.CreateAsync(Simulation.Resources.ReplicaSets, rs, null, ct);
            await Events.NormalAsync(deploy, Component, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {replicas}", ct);
            return created;
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            return null;
        }
    }

    private async Task ScaleAsync(JsonObject deploy, JsonObject rs, long replicas, CancellationToken ct)
    {
        var from = rs.Int("spec", "replicas");
        await Client.PatchAsync(Simulation.Resources.ReplicaSets, rs.Str("metadata", "namespace"), rs.Str("metadata", "name"), PatchType.Merge,
            new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, null, ct);
        await Events.NormalAsync(deploy, Component, "ScalingReplicaSet",
            $"Scaled {(replicas > from ? "up" : "down")} replica set {rs.Str("metadata", "name")} from {from} to {replicas}", ct);
    }

    private async Task WriteStatusAsync(JsonObject deploy, JsonObject? newRs, List<JsonObject> owned, long desired, CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var replicas = owned.Sum(rs => rs.Int("status", "replicas"));
        var available = owned.Sum(rs => rs.Int("status", "availableReplicas"));
        var ready = owned.Sum(rs => rs.Int("status", "readyReplicas"));
        var updated = newRs?.Int("status", "replicas") ?? 0;
        var conditions = deploy.At("status", "conditions") as JsonArray;
        conditions = available >= desired
            ? CoreConditions.Set(conditions, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, "lastUpdateTime")
            : CoreConditions.Set(conditions, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, "lastUpdateTime");
        var rsName = newRs?.Str("metadata", "name") ?? "";
        conditions = deploy.Bool("spec", "paused")
            ? CoreConditions.Set(conditions, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now, "lastUpdateTime")
            : updated >= desired && available >= desired && replicas == updated
                ? CoreConditions.Set(conditions, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", now, "lastUpdateTime")
                : CoreConditions.Set(conditions, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", now, "lastUpdateTime");
        var status = OmitZero(new JsonObject
        {
            ["observedGeneration"] = deploy.Int("metadata", "generation"),
            ["replicas"] = replicas,
            ["updatedReplicas"] = updated,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, replicas - available),
            ["conditions"] = conditions,
        });
        await StatusWriter.WriteAsync(Client, Resource, deploy, status, ct);
    }
}
