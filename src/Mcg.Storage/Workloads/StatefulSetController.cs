using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// The StatefulSet controller: pods <c>NAME-0..N-1</c> with stable identities, each with its claims from
/// <c>volumeClaimTemplates</c> (<c>TEMPLATE-NAME-i</c>, kept when pods go); OrderedReady creates pod i only when all
/// before it are Running and Ready (Parallel does not wait); RollingUpdate replaces outdated pods from the highest
/// ordinal, one at a time; status as upstream's stateful_set_control.go.
/// </summary>
public sealed class StatefulSetController : WorkloadController
{
    private readonly Informer _claims;

    public StatefulSetController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
        TimeProvider clock, ILogger<Controller> logger)
        : base("statefulset-controller", Simulation.Resources.StatefulSets, client, informers, events, options, clock, logger)
    {
        _claims = informers.For(Simulation.Resources.PersistentVolumeClaims);
    }

    protected override string CreateVerb => "create";
    protected override string DeleteVerb => "delete";

    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } sts || sts.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        if (!ExpectationsMet(sts))
        {
            return WaitForCache;
        }
        var name = sts.Str("metadata", "name");
        var replicas = (int)(sts.OptionalInt("spec", "replicas") ?? 1);
        var parallel = sts.Str("spec", "podManagementPolicy") == "Parallel";
        var revision = $"{name}-{TemplateHash(sts.Obj("spec", "template"))}";
        var pods = OwnedPods(sts).Where(p => Ordinal(p, name) >= 0).ToDictionary(p => Ordinal(p, name));
        foreach (var failed in pods.Values.Where(p => p.Str("status", "phase") == "Failed" && !p.IsDeleting()))
        {
            await DeletePodAsync(sts, failed, ct);
            return WaitForCache;
        }
        for (var i = 0; i < replicas; i++)
        {
            if (!pods.TryGetValue(i, out var pod))
            {
                await EnsureClaimsAsync(sts, i, ct);
                await CreatePodAsync(sts, NewPod(sts, i, revision), ct);
                if (!parallel)
                {
                    break;
                }
                continue;
            }
            if (!parallel && (!Pods.IsReady(pod) || pod.IsDeleting()))
            {
                break;
            }
        }
        // Scale down from the highest ordinal, one at a time unless Parallel.
        foreach (var extra in pods.Where(p => p.Key >= replicas && !p.Value.IsDeleting()).OrderByDescending(p => p.Key))
        {
            await DeletePodAsync(sts, extra.Value, ct);
            if (!parallel)
            {
                break;
            }
        }
        var active = pods.Where(p => p.Key < replicas && Pods.IsActive(p.Value)).Select(p => p.Value).ToList();
        await RollAsync(sts, active, revision, replicas, ct);
        await WriteStatusAsync(sts, active, revision, ct);
        return ReconcileResult.Done;
    }

    /// <summary>RollingUpdate: when every pod is ready, delete the highest-ordinal outdated one (at or above the partition).</summary>
    private async Task RollAsync(JsonObject sts, List<JsonObject> active, string revision, int replicas, CancellationToken ct)
    {
        if (sts.Str("spec", "updateStrategy", "type") == "OnDelete" || active.Count < replicas || !active.All(Pods.IsReady))
        {
            return;
        }
        var partition = sts.Int("spec", "updateStrategy", "rollingUpdate", "partition");
        var outdated = active.Where(p => Revision(p) != revision && Ordinal(p, sts.Str("metadata", "name")) >= partition)
            .OrderByDescending(p => Ordinal(p, sts.Str("metadata", "name"))).FirstOrDefault();
        if (outdated is not null)
        {
            await DeletePodAsync(sts, outdated, ct);
        }
    }

    private async Task WriteStatusAsync(JsonObject sts, List<JsonObject> active, string revision, CancellationToken ct)
    {
        var updated = active.Count(p => Revision(p) == revision);
        var ready = active.Count(Pods.IsReady);
        var current = sts.Str("status", "currentRevision");
        // The current revision becomes the update revision once every pod runs it (upstream's completeRollingUpdate).
        if (current.Length == 0 || (updated == active.Count && ready == active.Count))
        {
            current = revision;
        }
        var status = OmitZero(new JsonObject
        {
            ["observedGeneration"] = sts.Int("metadata", "generation"),
            ["replicas"] = active.Count,
            ["readyReplicas"] = ready,
            ["currentReplicas"] = active.Count(p => Revision(p) == current),
            ["updatedReplicas"] = updated,
            ["availableReplicas"] = ready,
            ["currentRevision"] = current,
            ["updateRevision"] = revision,
            ["collisionCount"] = 0,
        }, "replicas", "availableReplicas", "collisionCount");
        await StatusWriter.WriteAsync(Client, Resource, sts, status, ct);
    }

    private static string Revision(JsonObject pod) => pod.Str("metadata", "labels", "controller-revision-hash");

    private static int Ordinal(JsonObject pod, string stsName)
    {
        var name = pod.Str("metadata", "name");
        return name.StartsWith(stsName + "-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(stsName.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;
    }

    private JsonObject NewPod(JsonObject sts, int ordinal, string revision)
    {
        var name = sts.Str("metadata", "name");
        var podName = $"{name}-{ordinal}";
        var pod = Pods.FromTemplate(sts, sts.Obj("spec", "template") ?? [], podName, new Dictionary<string, string>
        {
            ["controller-revision-hash"] = revision,
            ["statefulset.kubernetes.io/pod-name"] = podName,
            ["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture),
        });
        var spec = (JsonObject)pod["spec"]!;
        spec["hostname"] = podName;
        if (sts.Str("spec", "serviceName") is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }
        var volumes = spec.ChildArray("volumes");
        foreach (var template in sts.Items("spec", "volumeClaimTemplates"))
        {
            var volume = template.Str("metadata", "name");
            var existing = volumes.OfType<JsonObject>().FirstOrDefault(v => v.Str("name") == volume);
            if (existing is not null)
            {
                volumes.Remove(existing);
            }
            volumes.Add(new JsonObject
            {
                ["name"] = volume,
                ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{volume}-{podName}" },
            });
        }
        return pod;
    }

    private async Task EnsureClaimsAsync(JsonObject sts, int ordinal, CancellationToken ct)
    {
        var ns = sts.Str("metadata", "namespace");
        var podName = $"{sts.Str("metadata", "name")}-{ordinal}";
        foreach (var template in sts.Items("spec", "volumeClaimTemplates"))
        {
            var claimName = $"{template.Str("metadata", "name")}-{podName}";
            if (_claims.Get(ns, claimName) is not null)
            {
                continue;
            }
            var labels = template.Obj("metadata", "labels")?.Clone() ?? [];
            foreach (var (k, v) in sts.Obj("spec", "selector", "matchLabels") ?? [])
            {
                labels[k] = v?.DeepClone();
            }
            var claim = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "PersistentVolumeClaim",
                ["metadata"] = new JsonObject { ["name"] = claimName, ["namespace"] = ns, ["labels"] = labels },
                ["spec"] = template.Obj("spec")?.Clone() ?? [],
            };
            if (template.Obj("metadata", "annotations") is { } annotations)
            {
                ((JsonObject)claim["metadata"]!)["annotations"] = annotations.Clone();
            }
            try
            {
                await Client.CreateAsync(Simulation.Resources.PersistentVolumeClaims, claim, null, ct);
                await Events.NormalAsync(sts, Component, "SuccessfulCreate", $"create Claim {claimName} Pod {podName} in StatefulSet {sts.Str("metadata", "name")} success", ct);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
            }
        }
    }
}
