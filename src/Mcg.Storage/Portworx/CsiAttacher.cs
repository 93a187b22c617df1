using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The external-attacher of <c>pxd.portworx.com</c>: a VolumeAttachment is attached when a replica of the volume is on
/// an online storage node (Portworx serves the volume to any node over the network); otherwise — e.g. a <c>repl: 1</c>
/// volume whose only replica is on a failed node — it reports an attach error, which the kubelet shows on the pod.
/// A non-shared volume attaches to one node at a time.
/// </summary>
public sealed class CsiAttacher : IReconciler
{
    private readonly IKubeClient _client;
    private readonly Informer _attachments;
    private readonly Informer _volumes;
    private readonly PortworxTopology _topology;
    private readonly TimeProvider _clock;

    public CsiAttacher(IKubeClient client, SharedInformers informers, PortworxTopology topology, TimeProvider clock, ILogger<Controller> logger)
    {
        _client = client;
        _topology = topology;
        _clock = clock;
        _attachments = informers.For(Resources.VolumeAttachments);
        _volumes = informers.For(Resources.PersistentVolumes);
        Controller = new Controller("pxd-csi-attacher", this, new ControllerOptions(), logger);
        Controller.Watch(_attachments);
        Controller.Watch(informers.For(Resources.StorageNodes), _ => _attachments.List().Where(a => !a.Bool("status", "attached")).Select(ObjectKeys.KeyOf).ToList());
        Controller.Watch(_volumes, pv => _attachments.List().Where(a => a.Str("spec", "source", "persistentVolumeName") == pv.Str("metadata", "name")).Select(ObjectKeys.KeyOf).ToList());
    }

    public Controller Controller { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_attachments.GetByKey(key) is not { } va || va.IsDeleting() || va.Str("spec", "attacher") != PortworxTopology.Driver)
        {
            return ReconcileResult.Done;
        }
        if (va.Bool("status", "attached"))
        {
            return ReconcileResult.Done;
        }
        var pvName = va.Str("spec", "source", "persistentVolumeName");
        var pv = _volumes.Get(null, pvName);
        string? error = null;
        if (pv is null || _topology.Locate(pv) is not { } location)
        {
            error = $"rpc error: code = NotFound desc = Volume id for {pvName} not found";
        }
        else if (location.Reachable.Count == 0)
        {
            error = location.Replicas.Count == 1
                ? $"rpc error: code = Unavailable desc = failed to attach volume {location.Volume} ({pvName}): its only replica is on node {location.Replicas[0]}, which is offline (repl 1)"
                : $"rpc error: code = Unavailable desc = failed to attach volume {location.Volume} ({pvName}): all {location.Replicas.Count} replicas are on offline nodes ({string.Join(", ", location.Replicas)})";
        }
        else if (pv.Str("spec", "csi", "volumeAttributes", "sharedv4") != "true"
                 && _attachments.List().FirstOrDefault(o => o.Str("metadata", "name") != va.Str("metadata", "name") && o.Bool("status", "attached")
                     && o.Str("spec", "source", "persistentVolumeName") == pvName) is { } other)
        {
            error = $"rpc error: code = FailedPrecondition desc = Volume {location.Volume} is already attached on node {other.Str("spec", "nodeName")} and is not shared (sharedv4)";
        }
        var status = error is null
            ? new JsonObject { ["attached"] = true, ["attachmentMetadata"] = new JsonObject { ["attached"] = "true" } }
            : new JsonObject { ["attached"] = false, ["attachError"] = new JsonObject { ["message"] = error, ["time"] = Json.Timestamp(_clock.GetUtcNow()) } };
        if (error is not null && va.Str("status", "attachError", "message") == error)
        {
            return ReconcileResult.After(TimeSpan.FromSeconds(5));
        }
        await StatusWriter.WriteAsync(_client, Resources.VolumeAttachments, va, status, ct);
        return error is null ? ReconcileResult.Done : ReconcileResult.After(TimeSpan.FromSeconds(5));
    }
}
