using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Nodes;

/// <summary>
/// The machines of a virtual cluster: registers N Nodes (what each kubelet does at start) and keeps their status as the
/// kubelet and the node lifecycle controller would: Ready while up; when failed, Ready=Unknown with the unreachable and
/// out-of-service taints (a non-graceful node shutdown), its pods marked not ready and, after the eviction delay,
/// force-deleted so their controllers recreate them elsewhere.
/// </summary>
public sealed class NodeSimulator : IReconciler
{
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";
    private const string Component = "node-controller";

    private readonly IKubeClient _client;
    private readonly SimulatorOptions _options;
    private readonly Informer _nodes;
    private readonly Informer _pods;
    private readonly EventRecorder _events;
    private readonly TimeProvider _clock;

    public NodeSimulator(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options, TimeProvider clock,
        ILogger<Controller> logger)
    {
        _client = client;
        _options = options;
        _events = events;
        _clock = clock;
        _nodes = informers.For(Resources.Nodes);
        _pods = informers.For(Resources.Pods);
        Controller = new Controller("node-simulator", this, new ControllerOptions { Workers = options.Workers }, logger);
        Controller.Watch(_nodes);
        Controller.Watch(_pods, p => p.Str("spec", "nodeName") is { Length: > 0 } n ? [n] : []);
    }

    public Controller Controller { get; }

    public static string NodeName(int index) => $"worker-{index}";

    /// <summary>Registers the nodes that do not exist yet (a restarted cluster keeps its nodes and their state).</summary>
    public async Task RegisterNodesAsync(CancellationToken ct)
    {
        for (var i = 1; i <= _options.Nodes; i++)
        {
            var name = NodeName(i);
            if (await _client.GetAsync(Resources.Nodes, null, name, ct) is not null)
            {
                continue;
            }
            var zone = _options.Zones[(i - 1) % _options.Zones.Count];
            var node = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Node",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject
                    {
                        ["kubernetes.io/hostname"] = name,
                        ["kubernetes.io/os"] = "linux",
                        ["kubernetes.io/arch"] = "amd64",
                        ["node-role.kubernetes.io/worker"] = "",
                        ["topology.kubernetes.io/region"] = _options.Region,
                        ["topology.kubernetes.io/zone"] = zone,
                        ["node.kubernetes.io/instance-type"] = "m5.2xlarge",
                    },
                    ["annotations"] = new JsonObject
                    {
                        [SimulationAnnotations.NodeDisks] = new JsonArray(new JsonObject { ["path"] = "/dev/sdb", ["size"] = _options.NodeDiskSize }).ToJsonString(),
                    },
                },
                ["spec"] = new JsonObject { ["providerID"] = $"mcg://{_options.Region}/{zone}/{name}", ["podCIDR"] = $"10.244.{i}.0/24" },
            };
            try
            {
                await _client.CreateAsync(Resources.Nodes, node, null, ct);
            }
            catch (KubeApiException e) when (e.StatusCode == 409)
            {
            }
        }
    }

    public static bool IsFailed(JsonObject node) => node.Str("metadata", "annotations", SimulationAnnotations.NodeFailed) == "true";

    /// <summary>Ready as the scheduler and the simulated kubelet see it.</summary>
    public static bool IsReady(JsonObject? node) => node is not null && CoreConditions.Status(node, "Ready") == "True";

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_nodes.GetByKey(key) is not { } node)
        {
            return ReconcileResult.Done;
        }
        var failed = IsFailed(node);
        var now = _clock.GetUtcNow();
        await EnsureTaintsAsync(node, failed, ct);
        var status = DesiredStatus(node, failed, now);
        var wrote = await StatusWriter.WriteAsync(_client, Resources.Nodes, node, status, ct);
        if (wrote && failed != !IsReady(node))
        {
            await _events.NormalAsync(node, Component, failed ? "NodeNotReady" : "NodeReady",
                failed ? $"Node {key} status is now: NodeNotReady" : $"Node {key} status is now: NodeReady", ct);
        }
        if (!failed)
        {
            return ReconcileResult.Done;
        }
        return await HandlePodsOnFailedNodeAsync(node, status, now, ct);
    }

    private async Task<ReconcileResult> HandlePodsOnFailedNodeAsync(JsonObject node, JsonObject status, DateTimeOffset now, CancellationToken ct)
    {
        var name = node.Str("metadata", "name");
        var since = status.Items("conditions").First(c => c.Str("type") == "Ready").Time("lastTransitionTime") ?? now;
        var evictAt = since + _options.EvictionDelay;
        foreach (var pod in _pods.List().Where(p => p.Str("spec", "nodeName") == name))
        {
            if (Pods.IsDaemonPod(pod))
            {
                // DaemonSet pods tolerate unreachable taints: they stay, not ready, like upstream.
                await MarkNotReadyAsync(pod, now, ct);
                continue;
            }
            if (now >= evictAt)
            {
                await _events.NormalAsync(pod, "taint-eviction-controller", "TaintManagerEviction", $"Marking for deletion Pod {pod.Str("metadata", "namespace")}/{pod.Str("metadata", "name")}", ct);
                await _client.DeleteAsync(Resources.Pods, pod.Str("metadata", "namespace"), pod.Str("metadata", "name"),
                    new DeleteOptions { GracePeriodSeconds = 0, Uid = pod.Str("metadata", "uid") }, ct);
            }
            else
            {
                await MarkNotReadyAsync(pod, now, ct);
            }
        }
        return now >= evictAt ? ReconcileResult.Done : ReconcileResult.After(evictAt - now + TimeSpan.FromMilliseconds(50));
    }

    private async Task MarkNotReadyAsync(JsonObject pod, DateTimeOffset now, CancellationToken ct)
    {
        if (pod.Str("status", "phase") is "Succeeded" or "Failed")
        {
            return;
        }
        var status = pod.Obj("status")?.Clone() ?? [];
        var conditions = CoreConditions.Set(status["conditions"] as JsonArray, "Ready", "False", null, null, now, "lastProbeTime");
        conditions = CoreConditions.Set(conditions, "ContainersReady", "False", null, null, now, "lastProbeTime");
        status["conditions"] = conditions;
        foreach (var c in status.Items("containerStatuses"))
        {
            c["ready"] = false;
        }
        try
        {
            await StatusWriter.WriteAsync(_client, Resources.Pods, pod, status, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
    }

    private async Task EnsureTaintsAsync(JsonObject node, bool failed, CancellationToken ct)
    {
        var taints = node.Items("spec", "taints").Where(t => t.Str("key") is not (UnreachableTaint or OutOfServiceTaint)).Select(t => (JsonNode)t.Clone()).ToList();
        if (failed)
        {
            var added = Json.Timestamp(_clock.GetUtcNow());
            taints.Add(new JsonObject { ["key"] = UnreachableTaint, ["effect"] = "NoSchedule", ["timeAdded"] = added });
            taints.Add(new JsonObject { ["key"] = UnreachableTaint, ["effect"] = "NoExecute", ["timeAdded"] = added });
            taints.Add(new JsonObject { ["key"] = OutOfServiceTaint, ["value"] = "nodeshutdown", ["effect"] = "NoExecute", ["timeAdded"] = added });
        }
        var current = node.Items("spec", "taints").Select(t => $"{t.Str("key")}:{t.Str("effect")}").ToList();
        var desired = taints.Select(t => $"{t.Str("key")}:{t.Str("effect")}").ToList();
        if (current.SequenceEqual(desired))
        {
            return;
        }
        await _client.PatchAsync(Resources.Nodes, null, node.Str("metadata", "name"), PatchType.Merge,
            new JsonObject { ["spec"] = new JsonObject { ["taints"] = taints.Count == 0 ? null : new JsonArray([.. taints]) } }, null, ct);
    }

    private JsonObject DesiredStatus(JsonObject node, bool failed, DateTimeOffset now)
    {
        var name = node.Str("metadata", "name");
        var index = int.TryParse(name.AsSpan(name.LastIndexOf('-') + 1), CultureInfo.InvariantCulture, out var i) ? i : 0;
        var existing = node.Obj("status")?["conditions"] as JsonArray;
        var conditions = existing;
        foreach (var (type, reason, message) in new[]
        {
            ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        })
        {
            conditions = failed
                ? CoreConditions.Set(conditions, type, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", now, "lastHeartbeatTime")
                : CoreConditions.Set(conditions, type, "False", reason, message, now, "lastHeartbeatTime");
        }
        conditions = failed
            ? CoreConditions.Set(conditions, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", now, "lastHeartbeatTime")
            : CoreConditions.Set(conditions, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now, "lastHeartbeatTime");
        var resources = new JsonObject
        {
            ["cpu"] = _options.NodeCpu,
            ["memory"] = _options.NodeMemory,
            ["pods"] = _options.NodeMaxPods.ToString(CultureInfo.InvariantCulture),
            ["ephemeral-storage"] = "100Gi",
        };
        return new JsonObject
        {
            ["capacity"] = resources.Clone(),
            ["allocatable"] = resources,
            ["conditions"] = conditions,
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = $"10.0.0.{10 + index}" },
                new JsonObject { ["type"] = "Hostname", ["address"] = name }),
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
            ["nodeInfo"] = new JsonObject
            {
                ["architecture"] = "amd64",
                ["operatingSystem"] = "linux",
                ["osImage"] = "Red Hat Enterprise Linux CoreOS (mcg virtual node)",
                ["kernelVersion"] = "5.14.0",
                ["containerRuntimeVersion"] = "cri-o://1.31.0",
                ["kubeletVersion"] = "v1.31.0",
                ["kubeProxyVersion"] = "v1.31.0",
                ["machineID"] = name,
                ["systemUUID"] = name,
                ["bootID"] = name,
            },
        };
    }
}
