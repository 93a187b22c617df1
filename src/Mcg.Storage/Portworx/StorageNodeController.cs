using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Mcg.Storage.Volumes;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Portworx;

/// <summary>
/// Portworx on each node: a StorageNode comes Online after its start-up time, goes Offline while its machine is down
/// (and, back Online, resynchronises the replicas it holds), and reports the space its volume replicas use.
/// </summary>
public sealed class StorageNodeController : IReconciler
{
    private readonly IKubeClient _client;
    private readonly Informer _storageNodes;
    private readonly Informer _nodes;
    private readonly Informer _volumes;
    private readonly PortworxTopology _topology;
    private readonly VolumeData _data;
    private readonly EventRecorder _events;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _clock;

    public StorageNodeController(IKubeClient client, SharedInformers informers, PortworxTopology topology, VolumeData data, EventRecorder events,
        SimulatorOptions options, TimeProvider clock, ILogger<Controller> logger)
    {
        _client = client;
        _topology = topology;
        _data = data;
        _events = events;
        _options = options;
        _clock = clock;
        _storageNodes = informers.For(Resources.StorageNodes);
        _nodes = informers.For(Resources.Nodes);
        _volumes = informers.For(Resources.PersistentVolumes);
        Controller = new Controller("storagenode-controller", this, new ControllerOptions(), logger);
        Controller.Watch(_storageNodes);
        Controller.Watch(_nodes, n => KeysOf(n.Str("metadata", "name")));
        Controller.Watch(_volumes, pv => PortworxTopology.ReplicaNodes(pv).SelectMany(KeysOf).ToList());
    }

    public Controller Controller { get; }

    private IEnumerable<string> KeysOf(string nodeName) =>
        _storageNodes.List().Where(s => s.Str("metadata", "name") == nodeName).Select(ObjectKeys.KeyOf).ToList();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_storageNodes.GetByKey(key) is not { } storageNode || storageNode.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        var name = storageNode.Str("metadata", "name");
        var now = _clock.GetUtcNow();
        var up = StorageClusterController.NodeUp(_nodes.Get(null, name));
        var previous = storageNode.Str("status", "phase");
        var status = storageNode.Obj("status")?.Clone() ?? [];
        var result = ReconcileResult.Done;
        string phase;
        if (!up)
        {
            phase = "Offline";
        }
        else if (previous is "Initializing" or "")
        {
            var ready = (storageNode.Time("metadata", "creationTimestamp") ?? now) + _options.StorageNodeStartup;
            phase = now >= ready ? "Online" : "Initializing";
            if (phase == "Initializing")
            {
                result = ReconcileResult.After(ready - now + TimeSpan.FromMilliseconds(20));
            }
        }
        else
        {
            phase = "Online";
        }
        if (phase == "Online" && previous == "Offline")
        {
            await ResyncAsync(name, ct);
        }
        status["phase"] = phase;
        var used = UsedBytes(name);
        var storage = status.Child("storage");
        storage["usedSize"] = Sizes.Format(used);
        var pools = status["pools"] as JsonArray;
        if (pools?.FirstOrDefault() is JsonObject pool)
        {
            pool["usedSize"] = Sizes.Format(used);
        }
        var conditions = new JsonArray(
            new JsonObject { ["type"] = "NodeInit", ["status"] = phase == "Initializing" ? "InProgress" : "Succeeded" },
            new JsonObject { ["type"] = "NodeState", ["status"] = phase, ["message"] = phase == "Offline" ? $"node {name} is not reachable" : "" });
        foreach (var c in conditions.OfType<JsonObject>())
        {
            var old = storageNode.Items("status", "conditions").FirstOrDefault(o => o.Str("type") == c.Str("type"));
            c["lastTransitionTime"] = old is not null && old.Str("status") == c.Str("status") ? old.Str("lastTransitionTime") : Json.Timestamp(now);
        }
        status["conditions"] = conditions;
        if (await StatusWriter.WriteAsync(_client, Resources.StorageNodes, storageNode, status, ct) && previous != phase && previous.Length > 0)
        {
            await _events.RecordAsync(storageNode, "portworx", phase == "Offline" ? "Warning" : "Normal", phase == "Offline" ? "NodeOffline" : "NodeOnline",
                $"Storage node {name} is now {phase}", ct);
        }
        return result;
    }

    /// <summary>Replica bytes of every volume with a replica here, as PV capacities (thick accounting, as Portworx's pool usage).</summary>
    internal long UsedBytes(string node) =>
        _volumes.List().Where(pv => PortworxTopology.ReplicaNodes(pv).Contains(node))
            .Sum(pv => Sizes.Bytes(pv.Str("spec", "capacity", "storage")) ?? 0);

    private async Task ResyncAsync(string node, CancellationToken ct)
    {
        var online = _topology.OnlineNodes().Append(node).ToHashSet();
        foreach (var pv in _volumes.List().Where(pv => PortworxTopology.ReplicaNodes(pv).Contains(node)))
        {
            var reachable = PortworxTopology.ReplicaNodes(pv).Where(online.Contains).ToList();
            await _data.ResyncAsync(pv.Str("spec", "csi", "volumeHandle"), reachable, ct);
        }
    }
}
