using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Mcg.Storage.Volumes;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The CSI snapshot controller with the <c>pxd.portworx.com</c> snapshotter: a VolumeSnapshot of a bound Portworx claim
/// (with its class, or the driver's default class) copies the volume's bytes, gets a VolumeSnapshotContent and becomes
/// readyToUse; deleting it deletes the content and its data when the deletion policy is Delete.
/// </summary>
public sealed class SnapshotController : IReconciler
{
    private const string Component = "snapshot-controller";
    private const string SnapshotPrefix = "vs:";
    private const string ContentPrefix = "vsc:";

    private readonly IKubeClient _client;
    private readonly Informer _snapshots;
    private readonly Informer _contents;
    private readonly Informer _classes;
    private readonly Informer _claims;
    private readonly Informer _volumes;
    private readonly PortworxTopology _topology;
    private readonly VolumeData _data;
    private readonly EventRecorder _events;
    private readonly TimeProvider _clock;

    public SnapshotController(IKubeClient client, SharedInformers informers, PortworxTopology topology, VolumeData data, EventRecorder events,
        TimeProvider clock, ILogger<Controller> logger)
    {
        _client = client;
        _topology = topology;
        _data = data;
        _events = events;
        _clock = clock;
        _snapshots = informers.For(Resources.VolumeSnapshots);
        _contents = informers.For(Resources.VolumeSnapshotContents);
        _classes = informers.For(Resources.VolumeSnapshotClasses);
        _claims = informers.For(Resources.PersistentVolumeClaims);
        _volumes = informers.For(Resources.PersistentVolumes);
        Controller = new Controller("snapshot-controller", this, new ControllerOptions(), logger);
        Controller.Watch(_snapshots, s => [SnapshotPrefix + ObjectKeys.KeyOf(s), .. ContentKeysOf(s)]);
        Controller.Watch(_contents, c => [ContentPrefix + c.Str("metadata", "name")]);
        Controller.Watch(_claims, c => _snapshots.List().Where(s => s.Str("metadata", "namespace") == c.Str("metadata", "namespace")
            && s.Str("spec", "source", "persistentVolumeClaimName") == c.Str("metadata", "name")).Select(s => SnapshotPrefix + ObjectKeys.KeyOf(s)).ToList());
    }

    public Controller Controller { get; }

    private IEnumerable<string> ContentKeysOf(JsonObject snapshot) =>
        _contents.List().Where(c => c.Str("spec", "volumeSnapshotRef", "uid") == snapshot.Str("metadata", "uid")).Select(c => ContentPrefix + c.Str("metadata", "name")).ToList();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        try
        {
            if (key.StartsWith(SnapshotPrefix, StringComparison.Ordinal) && _snapshots.GetByKey(key[SnapshotPrefix.Length..]) is { } snapshot && !snapshot.IsDeleting())
            {
                return await SyncSnapshotAsync(snapshot, ct);
            }
            if (key.StartsWith(ContentPrefix, StringComparison.Ordinal) && _contents.GetByKey(key[ContentPrefix.Length..]) is { } content)
            {
                await SyncContentAsync(content, ct);
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> SyncSnapshotAsync(JsonObject snapshot, CancellationToken ct)
    {
        if (snapshot.Bool("status", "readyToUse") || snapshot.Str("spec", "source", "persistentVolumeClaimName") is not { Length: > 0 } claimName)
        {
            return ReconcileResult.Done;
        }
        var ns = snapshot.Str("metadata", "namespace");
        var className = snapshot.Str("spec", "volumeSnapshotClassName");
        var snapshotClass = className.Length > 0
            ? _classes.Get(null, className)
            : _classes.List().FirstOrDefault(c => c.Str("driver") == PortworxTopology.Driver
                && c.Str("metadata", "annotations", "snapshot.storage.kubernetes.io/is-default-class") == "true");
        if (snapshotClass is null)
        {
            return await FailAsync(snapshot, className.Length > 0
                ? $"Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"{className}\" not found"
                : "Failed to set default snapshot class with error cannot find default snapshot class");
        }
        if (snapshotClass.Str("driver") != PortworxTopology.Driver)
        {
            return ReconcileResult.Done;
        }
        var claim = _claims.Get(ns, claimName);
        if (claim is null || claim.Str("status", "phase") != "Bound" || _volumes.Get(null, claim.Str("spec", "volumeName")) is not { } pv)
        {
            return await FailAsync(snapshot, $"Failed to create snapshot content with error snapshot controller failed to update {ns}/{snapshot.Str("metadata", "name")} on API server: cannot get claim from snapshot: persistentvolumeclaim \"{claimName}\" is not bound");
        }
        if (_topology.Locate(pv) is not { } location || location.Reachable.Count == 0)
        {
            return await FailAsync(snapshot, $"Failed to check and update snapshot content: failed to take snapshot of the volume {pv.Str("spec", "csi", "volumeHandle")}: rpc error: code = Unavailable desc = no replica of the volume is online");
        }
        var uid = snapshot.Str("metadata", "uid");
        var contentName = $"snapcontent-{uid}";
        var handle = CsiProvisioner.VolumeId(uid);
        var now = _clock.GetUtcNow();
        var size = pv.Str("spec", "capacity", "storage");
        if (_contents.Get(null, contentName) is null)
        {
            await _data.SnapshotAsync(location.Volume, location.Reachable, handle, ct);
            var content = new JsonObject
            {
                ["apiVersion"] = "snapshot.storage.k8s.io/v1",
                ["kind"] = "VolumeSnapshotContent",
                ["metadata"] = new JsonObject { ["name"] = contentName },
                ["spec"] = new JsonObject
                {
                    ["deletionPolicy"] = snapshotClass.Str("deletionPolicy") is { Length: > 0 } p ? p : "Delete",
                    ["driver"] = PortworxTopology.Driver,
                    ["source"] = new JsonObject { ["volumeHandle"] = location.Volume },
                    ["volumeSnapshotClassName"] = snapshotClass.Str("metadata", "name"),
                    ["volumeSnapshotRef"] = new JsonObject
                    {
                        ["apiVersion"] = "snapshot.storage.k8s.io/v1",
                        ["kind"] = "VolumeSnapshot",
                        ["name"] = snapshot.Str("metadata", "name"),
                        ["namespace"] = ns,
                        ["uid"] = uid,
                    },
                },
            };
            await _client.CreateAsync(Resources.VolumeSnapshotContents, content, null, ct);
            await _client.PatchAsync(Resources.VolumeSnapshotContents, null, contentName, PatchType.Merge, new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["snapshotHandle"] = handle,
                    ["readyToUse"] = true,
                    ["restoreSize"] = Sizes.Bytes(size) ?? 0,
                    ["creationTime"] = now.ToUnixTimeMilliseconds() * 1_000_000,
                },
            }, new PatchOptions { Subresource = "status" }, ct);
            await _events.NormalAsync(snapshot, Component, "CreatingSnapshot", $"Waiting for a snapshot {ns}/{snapshot.Str("metadata", "name")} to be created by the CSI driver.", ct);
        }
        var status = new JsonObject
        {
            ["boundVolumeSnapshotContentName"] = contentName,
            ["creationTime"] = Json.Timestamp(now),
            ["readyToUse"] = true,
            ["restoreSize"] = size,
        };
        if (await StatusWriter.WriteAsync(_client, Resources.VolumeSnapshots, snapshot, status, ct))
        {
            await _events.NormalAsync(snapshot, Component, "SnapshotReady", $"Snapshot {ns}/{snapshot.Str("metadata", "name")} is ready to use.", ct);
        }
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> FailAsync(JsonObject snapshot, string message)
    {
        var status = new JsonObject
        {
            ["readyToUse"] = false,
            ["error"] = new JsonObject { ["message"] = message, ["time"] = snapshot.Str("status", "error", "message") == message ? snapshot.Str("status", "error", "time") : Json.Timestamp(_clock.GetUtcNow()) },
        };
        if (await StatusWriter.WriteAsync(_client, Resources.VolumeSnapshots, snapshot, status, CancellationToken.None))
        {
            await _events.WarningAsync(snapshot, Component, "SnapshotCreationFailed", message, CancellationToken.None);
        }
        return ReconcileResult.After(TimeSpan.FromSeconds(5));
    }

    /// <summary>A content whose snapshot is gone is deleted (with its data) under the Delete policy, kept under Retain.</summary>
    private async Task SyncContentAsync(JsonObject content, CancellationToken ct)
    {
        if (content.Str("spec", "driver") != PortworxTopology.Driver || content.Str("spec", "deletionPolicy") != "Delete")
        {
            return;
        }
        var reference = content.Obj("spec", "volumeSnapshotRef");
        var snapshot = _snapshots.Get(reference.Str("namespace"), reference.Str("name"));
        if (snapshot is not null && snapshot.Str("metadata", "uid") == reference.Str("uid"))
        {
            return;
        }
        if (content.Str("status", "snapshotHandle") is { Length: > 0 } handle)
        {
            _data.DeleteSnapshot(handle);
        }
        await _client.DeleteAsync(Resources.VolumeSnapshotContents, null, content.Str("metadata", "name"), null, ct);
    }
}
