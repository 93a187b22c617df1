using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Scheduling;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// The DaemonSet controller: one pod per node the template fits (node selector, affinity, taints), pinned to its node
/// through node affinity on <c>metadata.name</c> and given the default daemon tolerations, as upstream does.
/// </summary>
public sealed class DaemonSetController : WorkloadController
{
    private readonly Informer _nodes;

    public DaemonSetController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
        TimeProvider clock, ILogger<Controller> logger)
        : base("daemonset-controller", Simulation.Resources.DaemonSets, client, informers, events, options, clock, logger)
    {
        _nodes = informers.For(Simulation.Resources.Nodes);
        Controller.Watch(_nodes, _ => Owners.List().Select(ObjectKeys.KeyOf).ToList());
    }

    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } ds || ds.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        if (!ExpectationsMet(ds))
        {
            return WaitForCache;
        }
        var hash = TemplateHash(ds.Obj("spec", "template"));
        var pods = OwnedPods(ds).Where(Pods.IsActive).ToList();
        var wanted = new List<string>();
        foreach (var node in _nodes.List().OrderBy(n => n.Str("metadata", "name"), StringComparer.Ordinal))
        {
            var nodeName = node.Str("metadata", "name");
            var template = NewPod(ds, nodeName, hash);
            // Only taints the daemon pod does not tolerate and the selector decide, not NotReady: daemons tolerate that.
            if (!NodeFit.MatchesNodeSelector(template, node)
                || node.Items("spec", "taints").Any(t => t.Str("effect") is "NoSchedule" or "NoExecute" && !NodeFit.Tolerates(template, t)))
            {
                continue;
            }
            wanted.Add(nodeName);
            var onNode = pods.Where(p => TargetNode(p) == nodeName).ToList();
            if (onNode.Count == 0)
            {
                await CreatePodAsync(ds, template, ct);
            }
            else if (ds.Str("spec", "updateStrategy", "type") != "OnDelete" && onNode.All(p => p.Str("metadata", "labels", "controller-revision-hash") != hash))
            {
                await DeletePodAsync(ds, onNode[0], ct);
            }
        }
        foreach (var stray in pods.Where(p => !wanted.Contains(TargetNode(p))))
        {
            await DeletePodAsync(ds, stray, ct);
        }
        var scheduled = pods.Where(p => wanted.Contains(TargetNode(p))).ToList();
        var ready = scheduled.Count(Pods.IsReady);
        var updated = scheduled.Count(p => p.Str("metadata", "labels", "controller-revision-hash") == hash);
        var status = OmitZero(new JsonObject
        {
            ["observedGeneration"] = ds.Int("metadata", "generation"),
            ["currentNumberScheduled"] = scheduled.Count,
            ["desiredNumberScheduled"] = wanted.Count,
            ["numberMisscheduled"] = pods.Count - scheduled.Count,
            ["numberReady"] = ready,
            ["numberAvailable"] = ready,
            ["numberUnavailable"] = Math.Max(0, wanted.Count - ready),
            ["updatedNumberScheduled"] = updated,
        }, "currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady");
        await StatusWriter.WriteAsync(Client, Resource, ds, status, ct);
        return ReconcileResult.Done;
    }

    private static string TargetNode(JsonObject pod) =>
        pod.Str("spec", "nodeName") is { Length: > 0 } n
            ? n
            : pod.Items("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
                .SelectMany(t => t.Items("matchFields")).FirstOrDefault()?["values"]?[0]?.ToString() ?? "";

    private static JsonObject NewPod(JsonObject ds, string node, string hash)
    {
        var pod = Pods.FromTemplate(ds, ds.Obj("spec", "template") ?? [], null, new Dictionary<string, string> { ["controller-revision-hash"] = hash });
        var spec = (JsonObject)pod["spec"]!;
        var affinity = spec.Child("affinity");
        affinity["nodeAffinity"] = new JsonObject
        {
            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchFields"] = new JsonArray(new JsonObject { ["key"] = "metadata.name", ["operator"] = "In", ["values"] = new JsonArray(node) }),
                }),
            },
        };
        var tolerations = spec.ChildArray("tolerations");
        foreach (var (taint, effect) in new[]
        {
            ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
        })
        {
            tolerations.Add(new JsonObject { ["key"] = taint, ["operator"] = "Exists", ["effect"] = effect });
        }
        return pod;
    }
}
