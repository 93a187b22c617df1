using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Scheduling;

/// <summary>
/// kube-scheduler for a virtual cluster: binds each unscheduled pod to the best node that passes the filters, or marks
/// it Unschedulable (PodScheduled=False and a FailedScheduling event with upstream's <c>0/N nodes are available</c>
/// text). Pods whose immediate-binding claims are not bound yet wait, as upstream's VolumeBinding plugin makes them.
/// </summary>
public sealed class Scheduler : IReconciler
{
    private const string Component = "default-scheduler";
    private static readonly HashSet<string> SchedulerNames = ["default-scheduler", "stork", ""];

    private readonly IKubeClient _client;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly Informer _claims;
    private readonly Informer _classes;
    private readonly EventRecorder _events;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, string> _assumed = new(); // pod uid → node, until the informer shows the binding

    public Scheduler(IKubeClient client, SharedInformers informers, EventRecorder events, TimeProvider clock, ILogger<Controller> logger)
    {
        _client = client;
        _events = events;
        _clock = clock;
        _pods = informers.For(Resources.Pods);
        _nodes = informers.For(Resources.Nodes);
        _claims = informers.For(Resources.PersistentVolumeClaims);
        _classes = informers.For(Resources.StorageClasses);
        // One worker: each decision must see the previous one (upstream schedules one pod at a time too).
        Controller = new Controller("scheduler", this, new ControllerOptions { Workers = 1 }, logger);
        Controller.Watch(_pods, p => IsUnscheduled(p) ? [ObjectKeys.KeyOf(p)] : PendingKeys());
        Controller.Watch(_nodes, _ => PendingKeys());
        Controller.Watch(_claims, c => PendingKeys(c.Str("metadata", "namespace")));
    }

    public Controller Controller { get; }

    private static bool IsUnscheduled(JsonObject pod) =>
        pod.Str("spec", "nodeName").Length == 0 && !pod.IsDeleting() && !Pods.IsTerminal(pod) && SchedulerNames.Contains(pod.Str("spec", "schedulerName"));

    private IEnumerable<string> PendingKeys(string? ns = null) =>
        _pods.List().Where(p => IsUnscheduled(p) && (ns is null || p.Str("metadata", "namespace") == ns)).Select(ObjectKeys.KeyOf).ToList();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_pods.GetByKey(key) is not { } pod || !IsUnscheduled(pod) || _assumed.ContainsKey(pod.Str("metadata", "uid")))
        {
            return ReconcileResult.Done;
        }
        var claimProblem = UnboundClaims(pod);
        var nodes = _nodes.List().ToList();
        var nodesByName = nodes.ToDictionary(n => n.Str("metadata", "name"));
        var placed = PlacedPods();
        var failures = new Dictionary<string, int>();
        JsonObject? best = null;
        var bestScore = double.MinValue;
        if (claimProblem is null)
        {
            foreach (var node in nodes.OrderBy(n => n.Str("metadata", "name"), StringComparer.Ordinal))
            {
                var name = node.Str("metadata", "name");
                var onNode = placed.Where(p => p.Str("spec", "nodeName") == name).ToList();
                var reason = CoreConditions.Status(node, "Ready") == "True" ? NodeFit.Check(pod, node, onNode, placed, nodesByName) : "node(s) were not ready";
                if (reason is not null)
                {
                    failures[reason] = failures.GetValueOrDefault(reason) + 1;
                    continue;
                }
                var score = NodeFit.Score(pod, node, onNode);
                if (score > bestScore)
                {
                    (best, bestScore) = (node, score);
                }
            }
        }
        if (best is null)
        {
            var message = claimProblem ?? $"0/{nodes.Count} nodes are available: {string.Join(", ", failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Value} {f.Key}"))}.";
            await MarkUnschedulableAsync(pod, message, ct);
            return ReconcileResult.After(TimeSpan.FromSeconds(5));
        }
        await SelectNodeForClaimsAsync(pod, best.Str("metadata", "name"), ct);
        await BindAsync(pod, best.Str("metadata", "name"), ct);
        return ReconcileResult.Done;
    }

    /// <summary>Upstream's VolumeBinding filter: a missing claim, or an unbound one of an Immediate class, keeps the pod pending.</summary>
    private string? UnboundClaims(JsonObject pod)
    {
        var ns = pod.Str("metadata", "namespace");
        foreach (var (_, claim) in Pods.Claims(pod))
        {
            var pvc = _claims.Get(ns, claim);
            if (pvc is null)
            {
                return $"persistentvolumeclaim \"{claim}\" not found";
            }
            if (pvc.IsDeleting())
            {
                return $"persistentvolumeclaim \"{claim}\" is being deleted";
            }
            if (pvc.Str("status", "phase") != "Bound" && !Volumes.PersistentVolumeBinder.WaitsForConsumer(_classes.Get(null, pvc.Str("spec", "storageClassName")), pvc))
            {
                return $"0/{_nodes.List().Count} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/{_nodes.List().Count} nodes are available: {_nodes.List().Count} Preemption is not helpful for scheduling.";
            }
        }
        return null;
    }

    /// <summary>VolumeBinding's PreBind: claims waiting for their first consumer get the chosen node, so they can be provisioned.</summary>
    private async Task SelectNodeForClaimsAsync(JsonObject pod, string node, CancellationToken ct)
    {
        var ns = pod.Str("metadata", "namespace");
        foreach (var (_, claim) in Pods.Claims(pod))
        {
            if (_claims.Get(ns, claim) is { } pvc && Volumes.PersistentVolumeBinder.WaitsForConsumer(_classes.Get(null, pvc.Str("spec", "storageClassName")), pvc))
            {
                await _client.PatchAsync(Resources.PersistentVolumeClaims, ns, claim, PatchType.Merge, new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [Volumes.PersistentVolumeBinder.SelectedNodeAnnotation] = node } },
                }, null, ct);
            }
        }
    }

    /// <summary>Active pods with a node, counting the ones bound by this scheduler that the cache does not show yet.</summary>
    private List<JsonObject> PlacedPods()
    {
        var result = new List<JsonObject>();
        foreach (var p in _pods.List())
        {
            if (!Pods.IsActive(p))
            {
                continue;
            }
            var uid = p.Str("metadata", "uid");
            if (p.Str("spec", "nodeName").Length > 0)
            {
                _assumed.TryRemove(uid, out _);
                result.Add(p);
            }
            else if (_assumed.TryGetValue(uid, out var node))
            {
                var copy = p.Clone();
                ((JsonObject)copy["spec"]!)["nodeName"] = node;
                result.Add(copy);
            }
        }
        return result;
    }

    private async Task BindAsync(JsonObject pod, string node, CancellationToken ct)
    {
        var ns = pod.Str("metadata", "namespace");
        var name = pod.Str("metadata", "name");
        var uid = pod.Str("metadata", "uid");
        _assumed[uid] = node;
        try
        {
            // The pods/binding subresource sets spec.nodeName; a guarded patch does the same and fails if the pod changed hands.
            await _client.PatchAsync(Resources.Pods, ns, name, PatchType.Json, new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/metadata/uid", ["value"] = uid },
                new JsonObject { ["op"] = "add", ["path"] = "/spec/nodeName", ["value"] = node }), null, ct);
            var conditions = CoreConditions.Set(pod.At("status", "conditions") as JsonArray, "PodScheduled", "True", null, null, _clock.GetUtcNow(), "lastProbeTime");
            await _client.PatchAsync(Resources.Pods, ns, name, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions, ["phase"] = "Pending" } }, new PatchOptions { Subresource = "status" }, ct);
            await _events.NormalAsync(pod, Component, "Scheduled", $"Successfully assigned {ns}/{name} to {node}", ct);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.StatusCode is 409 or 422)
        {
            _assumed.TryRemove(uid, out _);
        }
    }

    private async Task MarkUnschedulableAsync(JsonObject pod, string message, CancellationToken ct)
    {
        if (pod.Items("status", "conditions").Any(c => c.Str("type") == "PodScheduled" && c.Str("status") == "False" && c.Str("message") == message))
        {
            return;
        }
        var conditions = CoreConditions.Set(pod.At("status", "conditions") as JsonArray, "PodScheduled", "False", "Unschedulable", message, _clock.GetUtcNow(), "lastProbeTime");
        try
        {
            await _client.PatchAsync(Resources.Pods, pod.Str("metadata", "namespace"), pod.Str("metadata", "name"), PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions, ["phase"] = "Pending" } }, new PatchOptions { Subresource = "status" }, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return;
        }
        await _events.RecordOnChangeAsync(pod, Component, "Warning", "FailedScheduling", message, ct);
    }
}
