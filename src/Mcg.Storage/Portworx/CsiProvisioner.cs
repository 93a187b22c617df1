using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Mcg.Storage.Volumes;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The <c>pxd.portworx.com</c> CSI controller with its external-provisioner and external-resizer sidecars: a claim of a
/// Portworx class gets a volume with <c>repl</c> replicas on distinct online storage nodes with room for it (spread over
/// zones), its bytes seeded from a snapshot when the claim restores one; a claim that cannot be placed stays Pending
/// with a ProvisioningFailed event. Released volumes of a Delete class are deleted; grown claims are expanded.
/// </summary>
public sealed class CsiProvisioner : IReconciler
{
    private const string Component = "pxd.portworx.com_px-csi-ext";
    private const string ClaimPrefix = "pvc:";
    private const string VolumePrefix = "pv:";
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    private readonly IKubeClient _client;
    private readonly Informer _claims;
    private readonly Informer _volumes;
    private readonly Informer _classes;
    private readonly Informer _clusters;
    private readonly Informer _storageNodes;
    private readonly Informer _snapshots;
    private readonly Informer _snapshotContents;
    private readonly Informer _nodes;
    private readonly VolumeData _data;
    private readonly EventRecorder _events;
    private readonly string _identity = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-8081-{PortworxTopology.Driver}";

    public CsiProvisioner(IKubeClient client, SharedInformers informers, VolumeData data, EventRecorder events, ILogger<Controller> logger)
    {
        _client = client;
        _data = data;
        _events = events;
        _claims = informers.For(Resources.PersistentVolumeClaims);
        _volumes = informers.For(Resources.PersistentVolumes);
        _classes = informers.For(Resources.StorageClasses);
        _clusters = informers.For(Resources.StorageClusters);
        _storageNodes = informers.For(Resources.StorageNodes);
        _snapshots = informers.For(Resources.VolumeSnapshots);
        _snapshotContents = informers.For(Resources.VolumeSnapshotContents);
        _nodes = informers.For(Resources.Nodes);
        // Several workers (the sidecar's default is 100); placement itself is serialised and reserves its space.
        Controller = new Controller("pxd-csi-provisioner", this, new ControllerOptions { Workers = 4 }, logger);
        Controller.Watch(_claims, c => [ClaimPrefix + ObjectKeys.KeyOf(c)]);
        Controller.Watch(_volumes, v => [VolumePrefix + v.Str("metadata", "name")]);
        Controller.Watch(_storageNodes, _ => PendingClaimKeys());
        Controller.Watch(_clusters, _ => PendingClaimKeys());
        Controller.Watch(_snapshots, _ => PendingClaimKeys());
    }

    public Controller Controller { get; }

    /// <summary>Space placed but not yet visible as a PV in the cache: (replica nodes, bytes) by PV name.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IReadOnlyList<string> Nodes, long Size)> _reserved = new();
    private readonly SemaphoreSlim _placement = new(1, 1);

    private List<string> PendingClaimKeys() =>
        [.. _claims.List().Where(c => c.Str("spec", "volumeName").Length == 0).Select(c => ClaimPrefix + ObjectKeys.KeyOf(c))];

    /// <summary>Portworx volume ids are large decimal numbers; derive one from the claim so a retry finds the same volume.</summary>
    public static string VolumeId(string claimUid) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(claimUid)), 0).ToString(CultureInfo.InvariantCulture);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        try
        {
            if (key.StartsWith(ClaimPrefix, StringComparison.Ordinal) && _claims.GetByKey(key[ClaimPrefix.Length..]) is { } claim && !claim.IsDeleting())
            {
                return await SyncClaimAsync(claim, ct);
            }
            if (key.StartsWith(VolumePrefix, StringComparison.Ordinal) && _volumes.GetByKey(key[VolumePrefix.Length..]) is { } pv)
            {
                await SyncVolumeAsync(pv, ct);
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> SyncClaimAsync(JsonObject claim, CancellationToken ct)
    {
        var storageClass = _classes.Get(null, claim.Str("spec", "storageClassName"));
        if (storageClass?.Str("provisioner") != PortworxTopology.Driver)
        {
            return ReconcileResult.Done;
        }
        if (claim.Str("spec", "volumeName") is { Length: > 0 } bound)
        {
            if (_volumes.Get(null, bound) is { } boundPv)
            {
                await ExpandAsync(claim, boundPv, storageClass, ct);
            }
            return ReconcileResult.Done;
        }
        var pvName = $"pvc-{claim.Str("metadata", "uid")}";
        if (_volumes.Get(null, pvName) is not null || _reserved.ContainsKey(pvName))
        {
            return ReconcileResult.Done;
        }
        var className = storageClass.Str("metadata", "name");
        if (PersistentVolumeBinder.WaitsForConsumer(storageClass, claim))
        {
            return ReconcileResult.Done;
        }
        Plan plan;
        await _placement.WaitAsync(ct);
        try
        {
            plan = Provision(claim, storageClass);
            if (plan.Error is null)
            {
                _reserved[pvName] = (plan.Nodes, plan.Size);
            }
        }
        finally
        {
            _placement.Release();
        }
        if (plan.Error is { } error)
        {
            await _events.RecordOnChangeAsync(claim, Component, "Warning", "ProvisioningFailed", $"failed to provision volume with StorageClass \"{className}\": {error}", ct);
            return ReconcileResult.After(Retry);
        }
        await _events.NormalAsync(claim, Component, "Provisioning", $"External provisioner is provisioning volume for claim \"{claim.Str("metadata", "namespace")}/{claim.Str("metadata", "name")}\"", ct);
        var volumeId = VolumeId(claim.Str("metadata", "uid"));
        var seed = plan.SeedSnapshot is { Length: > 0 } snapshotHandle ? await _data.SnapshotFilesAsync(snapshotHandle, ct) : null;
        await _data.CreateAsync(volumeId, plan.Nodes, seed, ct);
        var pv = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolume",
            ["metadata"] = new JsonObject
            {
                ["name"] = pvName,
                ["annotations"] = new JsonObject
                {
                    ["pv.kubernetes.io/provisioned-by"] = PortworxTopology.Driver,
                    ["volume.kubernetes.io/provisioner-deletion-secret-name"] = "",
                    ["volume.kubernetes.io/provisioner-deletion-secret-namespace"] = "",
                    [PortworxTopology.ReplicaNodesAnnotation] = string.Join(',', plan.Nodes),
                },
                ["finalizers"] = new JsonArray("kubernetes.io/pv-protection", "external-provisioner.volume.kubernetes.io/finalizer"),
            },
            ["spec"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["storage"] = Sizes.Format(plan.Size) },
                ["accessModes"] = claim.At("spec", "accessModes")?.DeepClone() ?? new JsonArray("ReadWriteOnce"),
                ["persistentVolumeReclaimPolicy"] = storageClass.Str("reclaimPolicy") is { Length: > 0 } policy ? policy : "Delete",
                ["storageClassName"] = className,
                ["volumeMode"] = claim.Str("spec", "volumeMode") is { Length: > 0 } mode ? mode : "Filesystem",
                ["claimRef"] = PersistentVolumeBinder.ClaimRef(claim),
                ["csi"] = new JsonObject
                {
                    ["driver"] = PortworxTopology.Driver,
                    ["volumeHandle"] = volumeId,
                    ["fsType"] = storageClass.Str("parameters", "fs") is { Length: > 0 } fs ? fs : "ext4",
                    ["volumeAttributes"] = plan.Parameters.Attributes(_identity),
                },
            },
        };
        if (storageClass["mountOptions"] is JsonArray mountOptions)
        {
            ((JsonObject)pv["spec"]!)["mountOptions"] = mountOptions.DeepClone();
        }
        try
        {
            await _client.CreateAsync(Resources.PersistentVolumes, pv, null, ct);
        }
        catch
        {
            _reserved.TryRemove(pvName, out _);
            throw;
        }
        _events.ClearLast(claim, Component);
        await _events.NormalAsync(claim, Component, "ProvisioningSucceeded", $"Successfully provisioned volume {pvName}", ct);
        return ReconcileResult.Done;
    }

    private sealed record Plan(long Size, VolumeParameters Parameters, IReadOnlyList<string> Nodes, string? SeedSnapshot, string? Error);

    /// <summary>Where the volume goes, or why it cannot be created (the driver's error, as the sidecar reports it).</summary>
    private Plan Provision(JsonObject claim, JsonObject storageClass)
    {
        var parameters = VolumeParameters.Parse(storageClass.Obj("parameters"), claim);
        Plan Fail(string error) => new(0, parameters, [], null, error);
        if (!_clusters.List().Any(c => c.Str("status", "phase") == "Running"))
        {
            return Fail("rpc error: code = Unavailable desc = Portworx is not running: no StorageCluster is in phase Running");
        }
        if (parameters.Error is { } invalid)
        {
            return Fail($"rpc error: code = InvalidArgument desc = {invalid}");
        }
        var request = claim.Str("spec", "resources", "requests", "storage");
        if (Sizes.Bytes(request) is not { } size || size <= 0)
        {
            return Fail($"rpc error: code = InvalidArgument desc = invalid storage request \"{request}\"");
        }
        string? seed = null;
        if (claim.Obj("spec", "dataSource") is { } source)
        {
            if (source.Str("kind") != "VolumeSnapshot" || source.Str("apiGroup") != "snapshot.storage.k8s.io")
            {
                return Fail($"rpc error: code = InvalidArgument desc = unsupported data source {source.Str("kind")}");
            }
            var snapshot = _snapshots.Get(claim.Str("metadata", "namespace"), source.Str("name"));
            if (snapshot is null || !snapshot.Bool("status", "readyToUse"))
            {
                return Fail($"error getting handle for DataSource Type VolumeSnapshot by Name {source.Str("name")}: snapshot {source.Str("name")} is not Ready");
            }
            var content = _snapshotContents.Get(null, snapshot.Str("status", "boundVolumeSnapshotContentName"));
            var handle = content?.Str("status", "snapshotHandle") ?? "";
            if (Sizes.Bytes(snapshot.Str("status", "restoreSize")) is { } restore && restore > size)
            {
                return Fail($"rpc error: code = InvalidArgument desc = requested volume size {size} is less than the size {restore} for the source snapshot {source.Str("name")}");
            }
            seed = handle;
        }
        var online = _storageNodes.List().Where(n => n.Str("status", "phase") == "Online" && (Sizes.Bytes(n.Str("status", "storage", "totalSize")) ?? 0) > 0).ToList();
        if (parameters.Repl > online.Count)
        {
            return Fail($"rpc error: code = Internal desc = Failed to create volume: could not find enough nodes to provision volume: {parameters.Repl} replicas requested but only {online.Count} storage nodes are online");
        }
        foreach (var placed in _reserved.Keys.Where(name => _volumes.Get(null, name) is not null).ToList())
        {
            _reserved.TryRemove(placed, out _);
        }
        var used = _volumes.List().SelectMany(pv => PortworxTopology.ReplicaNodes(pv).Select(n => (Node: n, Size: Sizes.Bytes(pv.Str("spec", "capacity", "storage")) ?? 0)))
            .Concat(_reserved.Values.SelectMany(r => r.Nodes.Select(n => (Node: n, r.Size))))
            .GroupBy(u => u.Node).ToDictionary(g => g.Key, g => g.Sum(u => u.Size));
        var free = online.Select(n => (Node: n.Str("metadata", "name"), Zone: ZoneOf(n), Free: (Sizes.Bytes(n.Str("status", "storage", "totalSize")) ?? 0) - used.GetValueOrDefault(n.Str("metadata", "name"))))
            .ToList();
        // A claim provisioned for a scheduled pod (WaitForFirstConsumer) keeps a replica on the pod's node when it can.
        var selected = claim.Str("metadata", "annotations", PersistentVolumeBinder.SelectedNodeAnnotation);
        var candidates = free.Where(f => f.Free >= size).OrderByDescending(f => f.Node == selected).ThenByDescending(f => f.Free)
            .ThenBy(f => f.Node, StringComparer.Ordinal).ToList();
        if (candidates.Count < parameters.Repl)
        {
            var largest = free.OrderByDescending(f => f.Free).First();
            return Fail($"rpc error: code = Internal desc = Failed to create volume: could not find enough storage pools with {Sizes.Format(size)} free for {parameters.Repl} replica(s): {candidates.Count} of {online.Count} online storage nodes have room (largest free: {FormatApprox(largest.Free)} on {largest.Node})");
        }
        // Spread replicas over zones first (Portworx's default placement), then by free space.
        var chosen = new List<string>();
        var zones = new HashSet<string>();
        foreach (var c in candidates)
        {
            if (chosen.Count < parameters.Repl && zones.Add(c.Zone))
            {
                chosen.Add(c.Node);
            }
        }
        foreach (var c in candidates.Where(c => !chosen.Contains(c.Node)))
        {
            if (chosen.Count < parameters.Repl)
            {
                chosen.Add(c.Node);
            }
        }
        return new Plan(size, parameters, chosen, seed, null);
    }

    private string ZoneOf(JsonObject storageNode) =>
        _nodes.Get(null, storageNode.Str("metadata", "name"))?.Str("metadata", "labels", "topology.kubernetes.io/zone") ?? "";

    private static string FormatApprox(long bytes) => bytes >= Sizes.Gi ? $"{bytes / Sizes.Gi}Gi" : $"{bytes / (1 << 20)}Mi";

    /// <summary>external-resizer: a bound claim asking for more than its volume has grows the volume if its class allows.</summary>
    private async Task ExpandAsync(JsonObject claim, JsonObject pv, JsonObject storageClass, CancellationToken ct)
    {
        var requested = Sizes.Bytes(claim.Str("spec", "resources", "requests", "storage")) ?? 0;
        var current = Sizes.Bytes(pv.Str("spec", "capacity", "storage")) ?? 0;
        if (requested <= current)
        {
            return;
        }
        var ns = claim.Str("metadata", "namespace");
        var name = claim.Str("metadata", "name");
        if (!storageClass.Bool("allowVolumeExpansion"))
        {
            await _events.RecordOnChangeAsync(claim, Component, "Warning", "VolumeResizeFailed", $"only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize", ct);
            return;
        }
        var growth = requested - current;
        foreach (var node in PortworxTopology.ReplicaNodes(pv))
        {
            var sn = _storageNodes.List().FirstOrDefault(n => n.Str("metadata", "name") == node);
            var total = Sizes.Bytes(sn?.Str("status", "storage", "totalSize")) ?? 0;
            var usedOnNode = _volumes.List().Where(v => PortworxTopology.ReplicaNodes(v).Contains(node)).Sum(v => Sizes.Bytes(v.Str("spec", "capacity", "storage")) ?? 0);
            if (total - usedOnNode < growth)
            {
                await _events.RecordOnChangeAsync(claim, Component, "Warning", "VolumeResizeFailed",
                    $"resize volume \"{pv.Str("metadata", "name")}\" by resizer \"{PortworxTopology.Driver}\" failed: rpc error: code = Internal desc = Failed to resize volume: not enough space on node {node} for {Sizes.Format(requested)}", ct);
                return;
            }
        }
        await _events.NormalAsync(claim, "external-resizer pxd.portworx.com", "Resizing", $"External resizer is resizing volume {pv.Str("metadata", "name")}", ct);
        await _client.PatchAsync(Resources.PersistentVolumes, null, pv.Str("metadata", "name"), PatchType.Merge,
            new JsonObject { ["spec"] = new JsonObject { ["capacity"] = new JsonObject { ["storage"] = Sizes.Format(requested) } } }, null, ct);
        await _client.PatchAsync(Resources.PersistentVolumeClaims, ns, name, PatchType.Merge,
            new JsonObject { ["status"] = new JsonObject { ["capacity"] = new JsonObject { ["storage"] = Sizes.Format(requested) } } }, new PatchOptions { Subresource = "status" }, ct);
        await _events.NormalAsync(claim, "external-resizer pxd.portworx.com", "VolumeResizeSuccessful", $"Resize volume succeeded", ct);
    }

    /// <summary>A released volume of reclaim policy Delete is deleted with its data; Retain keeps both.</summary>
    private async Task SyncVolumeAsync(JsonObject pv, CancellationToken ct)
    {
        if (pv.Str("spec", "csi", "driver") != PortworxTopology.Driver || pv.Str("status", "phase") != "Released"
            || pv.Str("spec", "persistentVolumeReclaimPolicy") != "Delete")
        {
            return;
        }
        _data.Delete(pv.Str("spec", "csi", "volumeHandle"));
        var name = pv.Str("metadata", "name");
        await _client.PatchAsync(Resources.PersistentVolumes, null, name, PatchType.Merge,
            new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }, null, ct);
        await _client.DeleteAsync(Resources.PersistentVolumes, null, name, null, ct);
    }

}
