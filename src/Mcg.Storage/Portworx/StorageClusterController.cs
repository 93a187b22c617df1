using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Nodes;
using Mcg.Storage.Scheduling;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The simulated Portworx operator: validates a StorageCluster, creates one StorageNode per eligible node (with the
/// drives the spec gives it), reports the phase the operator reports (Initializing until the nodes are up, Running once
/// they form a quorum, Degraded without one, Failed on an invalid spec) and, when running, creates the CSIDriver, the
/// default StorageClasses and the VolumeSnapshotClass.
/// </summary>
public sealed class StorageClusterController : IReconciler
{
    private const string Component = "storagecluster-controller";
    private readonly IKubeClient _client;
    private readonly Informer _clusters;
    private readonly Informer _storageNodes;
    private readonly Informer _nodes;
    private readonly EventRecorder _events;
    private readonly TimeProvider _clock;

    public StorageClusterController(IKubeClient client, SharedInformers informers, EventRecorder events, TimeProvider clock, ILogger<Controller> logger)
    {
        _client = client;
        _events = events;
        _clock = clock;
        _clusters = informers.For(Resources.StorageClusters);
        _storageNodes = informers.For(Resources.StorageNodes);
        _nodes = informers.For(Resources.Nodes);
        Controller = new Controller("storagecluster-controller", this, new ControllerOptions(), logger);
        Controller.Watch(_clusters);
        Controller.Watch(_storageNodes, n => n.ControllerRef() is { } owner ? [ObjectKeys.KeyOf(n.Str("metadata", "namespace"), owner.Str("name"))] : []);
        Controller.Watch(_nodes, _ => _clusters.List().Select(ObjectKeys.KeyOf).ToList());
    }

    public Controller Controller { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_clusters.GetByKey(key) is not { } cluster || cluster.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        var spec = StorageClusterSpec.Parse(cluster);
        var errors = spec.Errors.ToList();
        // The operator runs one Portworx cluster per Kubernetes cluster: a later StorageCluster is refused.
        if (_clusters.List().Where(c => !c.IsDeleting() && c.Str("metadata", "uid") != cluster.Str("metadata", "uid"))
                .OrderBy(c => c.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ThenBy(c => c.Str("metadata", "uid"), StringComparer.Ordinal)
                .FirstOrDefault(c => string.CompareOrdinal(c.Str("metadata", "creationTimestamp"), cluster.Str("metadata", "creationTimestamp")) < 0
                    || (c.Str("metadata", "creationTimestamp") == cluster.Str("metadata", "creationTimestamp") && string.CompareOrdinal(c.Str("metadata", "uid"), cluster.Str("metadata", "uid")) < 0)) is { } first)
        {
            errors.Add($"only one StorageCluster is supported in a Kubernetes cluster, {first.Str("metadata", "namespace")}/{first.Str("metadata", "name")} already exists");
        }
        var status = cluster.Obj("status")?.Clone() ?? [];
        status["clusterName"] = cluster.Str("metadata", "name");
        status["clusterUid"] ??= Guid.NewGuid().ToString();
        status["version"] = spec.Version;
        if (errors.Count > 0)
        {
            var message = $"Failed to validate StorageCluster: {string.Join("; ", errors)}";
            status["phase"] = "Failed";
            status["reason"] = message;
            status["conditions"] = SetCondition(status, "Preflight", "Failed", message);
            if (await StatusWriter.WriteAsync(_client, Resources.StorageClusters, cluster, status, ct))
            {
                await _events.WarningAsync(cluster, Component, "FailedValidation", message, ct);
            }
            return ReconcileResult.Done;
        }
        var storageNodes = await EnsureStorageNodesAsync(cluster, spec, ct);
        var withStorage = storageNodes.Where(n => n.Str("status", "storage", "totalSize") is { Length: > 0 } t && t != "0").ToList();
        var online = withStorage.Count(n => n.Str("status", "phase") == "Online");
        var initializing = storageNodes.Count(n => n.Str("status", "phase") is "Initializing" or "");
        string phase;
        string reason = "";
        if (spec.InternalKvdb && withStorage.Count < 3 && initializing == 0)
        {
            phase = "Degraded";
            reason = $"internal KVDB needs at least 3 storage nodes to form a quorum, the cluster has {withStorage.Count}";
        }
        else if (initializing > 0)
        {
            phase = "Initializing";
        }
        else if (online * 2 > withStorage.Count)
        {
            phase = "Running";
        }
        else
        {
            phase = "Degraded";
            reason = $"cluster is not in quorum: {online} of {withStorage.Count} storage nodes are online";
        }
        var previous = status.Str("phase");
        status["phase"] = phase;
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }
        else
        {
            status.Remove("reason");
        }
        status["conditions"] = SetCondition(status, "Preflight", "Completed", "");
        status["conditions"] = SetCondition(status, "Install", phase == "Initializing" ? "InProgress" : "Completed",
            phase == "Initializing" ? "Portworx installation is in progress" : "Portworx installation completed");
        status["conditions"] = SetCondition(status, "RuntimeState", phase switch { "Running" => "Online", "Initializing" => "Initializing", _ => "NotInQuorum" }, reason);
        if (phase == "Running" && previous != "Running")
        {
            await DefaultObjects.EnsureAsync(_client, cluster, spec, ct);
        }
        if (await StatusWriter.WriteAsync(_client, Resources.StorageClusters, cluster, status, ct) && previous != phase)
        {
            if (reason.Length > 0)
            {
                await _events.WarningAsync(cluster, Component, "ClusterDegraded", reason, ct);
            }
            else
            {
                await _events.NormalAsync(cluster, Component, phase == "Running" ? "ClusterOnline" : "Initializing",
                    phase == "Running" ? $"Storage cluster {cluster.Str("metadata", "name")} online" : "Portworx installation is in progress", ct);
            }
        }
        return ReconcileResult.Done;
    }

    private JsonArray SetCondition(JsonObject status, string type, string value, string message)
    {
        var list = (status["conditions"] as JsonArray)?.Clone() ?? [];
        var existing = list.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["source"] = "Portworx", ["type"] = type };
            list.Add(existing);
        }
        if (existing.Str("status") != value || existing.Str("message") != message)
        {
            existing["status"] = value;
            existing["message"] = message;
            existing["lastTransitionTime"] = Json.Timestamp(_clock.GetUtcNow());
        }
        return list;
    }

    /// <summary>One StorageNode per node the placement allows; drives from the spec (cloud drives, devices or every disk).</summary>
    private async Task<List<JsonObject>> EnsureStorageNodesAsync(JsonObject cluster, StorageClusterSpec spec, CancellationToken ct)
    {
        var ns = cluster.Str("metadata", "namespace");
        var placement = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["affinity"] = new JsonObject { ["nodeAffinity"] = cluster.Obj("spec", "placement", "nodeAffinity")?.Clone() },
            },
        };
        var perZone = new Dictionary<string, int>();
        var result = new List<JsonObject>();
        foreach (var node in _nodes.List().OrderBy(n => n.Str("metadata", "name"), StringComparer.Ordinal))
        {
            if (!NodeFit.MatchesNodeSelector(placement, node))
            {
                continue;
            }
            var name = node.Str("metadata", "name");
            var zone = node.Str("metadata", "labels", "topology.kubernetes.io/zone");
            var drives = Drives(node, spec);
            if (spec.MaxStorageNodesPerZone is { } max && drives.Count > 0)
            {
                perZone[zone] = perZone.GetValueOrDefault(zone) + 1;
                if (perZone[zone] > max)
                {
                    drives = []; // a storageless node: it runs Portworx but holds no pools
                }
            }
            var existing = _storageNodes.Get(ns, name);
            if (existing is null)
            {
                existing = await CreateStorageNodeAsync(cluster, node, drives, spec, ct);
            }
            result.Add(existing);
        }
        return result;
    }

    private static List<(string Path, long Size)> Drives(JsonObject node, StorageClusterSpec spec)
    {
        if (spec.CloudDrives.Count > 0)
        {
            return [.. spec.CloudDrives.Select((size, i) => ($"/dev/xvd{(char)('f' + i)}", size))];
        }
        var inventory = NodeDisks(node);
        return spec.Devices is null ? inventory : [.. inventory.Where(d => spec.Devices.Contains(d.Path))];
    }

    internal static List<(string Path, long Size)> NodeDisks(JsonObject node)
    {
        var text = node.Str("metadata", "annotations", SimulationAnnotations.NodeDisks);
        if (text.Length == 0)
        {
            return [];
        }
        return [.. (JsonNode.Parse(text) as JsonArray ?? []).OfType<JsonObject>().Select(d => (d.Str("path"), Sizes.Bytes(d.Str("size")) ?? 0))];
    }

    private async Task<JsonObject> CreateStorageNodeAsync(JsonObject cluster, JsonObject node, List<(string Path, long Size)> drives, StorageClusterSpec spec, CancellationToken ct)
    {
        var name = node.Str("metadata", "name");
        var ip = node.Items("status", "addresses").FirstOrDefault(a => a.Str("type") == "InternalIP")?.Str("address") ?? "";
        var storageNode = new JsonObject
        {
            ["apiVersion"] = "core.libopenstorage.org/v1",
            ["kind"] = "StorageNode",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = cluster.Str("metadata", "namespace"),
                ["labels"] = new JsonObject { ["name"] = "portworx" },
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(cluster)),
            },
            ["spec"] = new JsonObject
            {
                ["version"] = spec.Version,
                ["cloudStorage"] = new JsonObject
                {
                    ["driveConfigs"] = new JsonArray([.. drives.Select(d => (JsonNode)new JsonObject
                    {
                        ["type"] = spec.CloudDrives.Count > 0 ? "gp2" : "local",
                        ["sizeInGiB"] = d.Size / Sizes.Gi,
                        ["options"] = new JsonObject { ["path"] = d.Path },
                    })]),
                },
            },
        };
        var created = await _client.CreateAsync(Resources.StorageNodes, storageNode, null, ct);
        var total = drives.Sum(d => d.Size);
        var status = new JsonObject
        {
            ["phase"] = "Initializing",
            ["nodeUid"] = Guid.NewGuid().ToString(),
            ["network"] = new JsonObject { ["dataIP"] = ip, ["mgmtIP"] = ip },
            ["storage"] = new JsonObject { ["totalSize"] = Sizes.Format(total), ["usedSize"] = "0" },
            ["pools"] = new JsonArray([.. drives.Select((d, i) => (JsonNode)new JsonObject
            {
                ["id"] = i,
                ["uid"] = Guid.NewGuid().ToString(),
                ["totalSize"] = Sizes.Format(d.Size),
                ["usedSize"] = "0",
                ["labels"] = new JsonObject { ["medium"] = "STORAGE_MEDIUM_SSD", ["iopriority"] = "HIGH", ["drive"] = d.Path },
            })]),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "NodeInit",
                ["status"] = "InProgress",
                ["lastTransitionTime"] = Json.Timestamp(_clock.GetUtcNow()),
            }),
        };
        return await _client.PatchAsync(Resources.StorageNodes, created.Str("metadata", "namespace"), name, PatchType.Merge,
            new JsonObject { ["status"] = status }, new PatchOptions { Subresource = "status" }, ct);
    }

    /// <summary>Whether the machine under a storage node is up.</summary>
    internal static bool NodeUp(JsonObject? node) => node is not null && !NodeSimulator.IsFailed(node);
}
