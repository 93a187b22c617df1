using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Kubelet;

/// <summary>
/// kube-controller-manager's attach-detach controller for CSI volumes: a VolumeAttachment for each (volume, node) a
/// scheduled pod needs, deleted once no pod on that node uses the volume. The CSI driver's attacher answers them.
/// </summary>
public sealed class AttachDetachController : IReconciler
{
    private const string PodPrefix = "pod:";
    private const string AttachmentPrefix = "va:";

    private readonly IKubeClient _client;
    private readonly Informer _pods;
    private readonly Informer _attachments;
    private readonly MountCheck _mounts;

    public AttachDetachController(IKubeClient client, SharedInformers informers, SimulatorOptions options, ILogger<Controller> logger)
    {
        _client = client;
        _pods = informers.For(Resources.Pods);
        _attachments = informers.For(Resources.VolumeAttachments);
        _mounts = new MountCheck(informers);
        Controller = new Controller("attach-detach", this, new ControllerOptions { Workers = options.Workers }, logger);
        Controller.Watch(_pods, p => [PodPrefix + ObjectKeys.KeyOf(p), .. AttachmentsOnNode(p.Str("spec", "nodeName"))]);
        Controller.Watch(_attachments, va => [AttachmentPrefix + va.Str("metadata", "name")]);
        Controller.Watch(informers.For(Resources.PersistentVolumeClaims), pvc => _pods.List()
            .Where(p => p.Str("metadata", "namespace") == pvc.Str("metadata", "namespace") && Pods.Claims(p).Any(c => c.Claim == pvc.Str("metadata", "name")))
            .Select(p => PodPrefix + ObjectKeys.KeyOf(p)).ToList());
    }

    public Controller Controller { get; }

    private List<string> AttachmentsOnNode(string node) =>
        [.. _attachments.List().Where(va => va.Str("spec", "nodeName") == node).Select(va => AttachmentPrefix + va.Str("metadata", "name"))];

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (key.StartsWith(PodPrefix, StringComparison.Ordinal))
        {
            await AttachAsync(key[PodPrefix.Length..], ct);
        }
        else if (key.StartsWith(AttachmentPrefix, StringComparison.Ordinal))
        {
            await DetachIfUnusedAsync(key[AttachmentPrefix.Length..], ct);
        }
        return ReconcileResult.Done;
    }

    private async Task AttachAsync(string podKey, CancellationToken ct)
    {
        if (_pods.GetByKey(podKey) is not { } pod || !Pods.IsActive(pod) || pod.Str("spec", "nodeName") is not { Length: > 0 } node)
        {
            return;
        }
        foreach (var (_, pv) in _mounts.CsiVolumes(pod))
        {
            var driver = pv.Str("spec", "csi", "driver");
            var name = MountCheck.AttachmentName(pv.Str("spec", "csi", "volumeHandle"), driver, node);
            if (_attachments.Get(null, name) is not null)
            {
                continue;
            }
            var attachment = new JsonObject
            {
                ["apiVersion"] = "storage.k8s.io/v1",
                ["kind"] = "VolumeAttachment",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject
                {
                    ["attacher"] = driver,
                    ["nodeName"] = node,
                    ["source"] = new JsonObject { ["persistentVolumeName"] = pv.Str("metadata", "name") },
                },
            };
            try
            {
                await _client.CreateAsync(Resources.VolumeAttachments, attachment, null, ct);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
            }
        }
    }

    private async Task DetachIfUnusedAsync(string name, CancellationToken ct)
    {
        if (_attachments.Get(null, name) is not { } va || va.IsDeleting())
        {
            return;
        }
        var node = va.Str("spec", "nodeName");
        var pv = va.Str("spec", "source", "persistentVolumeName");
        var used = _pods.List().Any(p => Pods.IsActive(p) && p.Str("spec", "nodeName") == node
            && _mounts.CsiVolumes(p).Any(v => v.Pv.Str("metadata", "name") == pv));
        if (!used)
        {
            await _client.DeleteAsync(Resources.VolumeAttachments, null, name, null, ct);
        }
    }
}
