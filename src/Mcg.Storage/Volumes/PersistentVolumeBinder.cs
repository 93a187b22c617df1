using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Volumes;

/// <summary>
/// kube-controller-manager's persistent volume controller: claims get the default StorageClass, bind to the volume made
/// for them (claimRef) or to a matching available one, and wait for their class's external provisioner otherwise;
/// volumes report Available, Bound or Released. Driver-specific work (provisioning, deleting) is the provisioner's.
/// </summary>
public sealed class PersistentVolumeBinder : IReconciler
{
    public const string ProvisionerAnnotation = "volume.kubernetes.io/storage-provisioner";
    public const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";

    /// <summary>A claim of a WaitForFirstConsumer class is provisioned only once the scheduler picked its pod's node.</summary>
    public static bool WaitsForConsumer(JsonObject? storageClass, JsonObject claim) =>
        storageClass.Str("volumeBindingMode") == "WaitForFirstConsumer" && claim.Str("metadata", "annotations", SelectedNodeAnnotation).Length == 0;
    private const string ClaimPrefix = "pvc:";
    private const string VolumePrefix = "pv:";
    private const string Component = "persistentvolume-controller";

    private readonly IKubeClient _client;
    private readonly Informer _claims;
    private readonly Informer _volumes;
    private readonly Informer _classes;
    private readonly EventRecorder _events;

    public PersistentVolumeBinder(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options, ILogger<Controller> logger)
    {
        _client = client;
        _events = events;
        _claims = informers.For(Resources.PersistentVolumeClaims);
        _volumes = informers.For(Resources.PersistentVolumes);
        _classes = informers.For(Resources.StorageClasses);
        Controller = new Controller("persistentvolume-binder", this, new ControllerOptions { Workers = options.Workers }, logger);
        Controller.Watch(_claims, c => [ClaimPrefix + ObjectKeys.KeyOf(c), .. _volumes.List()
            .Where(v => v.Str("spec", "claimRef", "uid") == c.Str("metadata", "uid")).Select(v => VolumePrefix + v.Str("metadata", "name"))]);
        Controller.Watch(_volumes, v => [VolumePrefix + v.Str("metadata", "name"),
            .. v.Str("spec", "claimRef", "name") is { Length: > 0 } n ? [ClaimPrefix + ObjectKeys.KeyOf(v.Str("spec", "claimRef", "namespace"), n)] : Array.Empty<string>()]);
        Controller.Watch(_classes, _ => _claims.List().Where(c => c.Str("status", "phase") != "Bound").Select(c => ClaimPrefix + ObjectKeys.KeyOf(c)).ToList());
    }

    public Controller Controller { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        try
        {
            if (key.StartsWith(ClaimPrefix, StringComparison.Ordinal) && _claims.GetByKey(key[ClaimPrefix.Length..]) is { } claim && !claim.IsDeleting())
            {
                await SyncClaimAsync(claim, ct);
            }
            else if (key.StartsWith(VolumePrefix, StringComparison.Ordinal) && _volumes.GetByKey(key[VolumePrefix.Length..]) is { } volume)
            {
                await SyncVolumeAsync(volume, ct);
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
        return ReconcileResult.Done;
    }

    private async Task SyncClaimAsync(JsonObject claim, CancellationToken ct)
    {
        var ns = claim.Str("metadata", "namespace");
        var name = claim.Str("metadata", "name");
        var uid = claim.Str("metadata", "uid");
        if (claim.At("spec", "storageClassName") is null && DefaultClass() is { } defaultClass)
        {
            await _client.PatchAsync(Resources.PersistentVolumeClaims, ns, name, PatchType.Merge,
                new JsonObject { ["spec"] = new JsonObject { ["storageClassName"] = defaultClass } }, null, ct);
            return;
        }
        var volumeName = claim.Str("spec", "volumeName");
        if (volumeName.Length > 0)
        {
            var bound = _volumes.Get(null, volumeName);
            if (bound is null || (bound.Str("spec", "claimRef", "uid") is { Length: > 0 } ref_ && ref_ != uid))
            {
                await WriteClaimStatusAsync(claim, new JsonObject { ["phase"] = "Lost" }, ct);
                await _events.RecordOnChangeAsync(claim, Component, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!", ct);
                return;
            }
            await WriteClaimStatusAsync(claim, BoundStatus(claim, bound), ct);
            return;
        }
        var volume = _volumes.List().FirstOrDefault(v => v.Str("spec", "claimRef", "uid") == uid) ?? FindStatic(claim);
        if (volume is not null)
        {
            await BindAsync(claim, volume, ct);
            return;
        }
        var className = claim.Str("spec", "storageClassName");
        var status = new JsonObject { ["phase"] = "Pending" };
        if (className.Length == 0)
        {
            await WriteClaimStatusAsync(claim, status, ct);
            await _events.RecordOnChangeAsync(claim, Component, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", ct);
            return;
        }
        if (_classes.Get(null, className) is not { } storageClass)
        {
            await WriteClaimStatusAsync(claim, status, ct);
            await _events.RecordOnChangeAsync(claim, Component, "Warning", "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found", ct);
            return;
        }
        if (WaitsForConsumer(storageClass, claim))
        {
            await WriteClaimStatusAsync(claim, status, ct);
            await _events.RecordOnChangeAsync(claim, Component, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", ct);
            return;
        }
        var provisioner = storageClass.Str("provisioner");
        if (claim.Str("metadata", "annotations", ProvisionerAnnotation) != provisioner)
        {
            await _client.PatchAsync(Resources.PersistentVolumeClaims, ns, name, PatchType.Merge, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["annotations"] = new JsonObject { [ProvisionerAnnotation] = provisioner, ["volume.beta.kubernetes.io/storage-provisioner"] = provisioner },
                },
            }, null, ct);
            await _events.RecordOnChangeAsync(claim, Component, "Normal", "ExternalProvisioning",
                $"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", ct);
        }
        await WriteClaimStatusAsync(claim, status, ct);
    }

    private string? DefaultClass() =>
        _classes.List().Where(c => c.Str("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true")
            .OrderByDescending(c => c.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).FirstOrDefault()?.Str("metadata", "name");

    /// <summary>A pre-provisioned, unclaimed volume of the same class, large enough and with every requested access mode.</summary>
    private JsonObject? FindStatic(JsonObject claim)
    {
        var request = Sizes.Bytes(claim.Str("spec", "resources", "requests", "storage")) ?? 0;
        var modes = (claim.At("spec", "accessModes") as JsonArray)?.Select(m => m?.ToString()).ToList() ?? [];
        return _volumes.List()
            .Where(v => v.Obj("spec", "claimRef") is null && v.Str("status", "phase") is "Available" or ""
                && v.Str("spec", "storageClassName") == claim.Str("spec", "storageClassName")
                && Sizes.Bytes(v.Str("spec", "capacity", "storage")) >= request
                && modes.All(m => (v.At("spec", "accessModes") as JsonArray)?.Any(a => a?.ToString() == m) == true))
            .OrderBy(v => Sizes.Bytes(v.Str("spec", "capacity", "storage")) ?? 0).FirstOrDefault();
    }

    private async Task BindAsync(JsonObject claim, JsonObject volume, CancellationToken ct)
    {
        var ns = claim.Str("metadata", "namespace");
        var name = claim.Str("metadata", "name");
        if (volume.Obj("spec", "claimRef") is null)
        {
            await _client.PatchAsync(Resources.PersistentVolumes, null, volume.Str("metadata", "name"), PatchType.Merge, new JsonObject
            {
                ["spec"] = new JsonObject { ["claimRef"] = ClaimRef(claim) },
                ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["pv.kubernetes.io/bound-by-controller"] = "yes" } },
            }, null, ct);
        }
        var updated = await _client.PatchAsync(Resources.PersistentVolumeClaims, ns, name, PatchType.Merge, new JsonObject
        {
            ["spec"] = new JsonObject { ["volumeName"] = volume.Str("metadata", "name") },
            ["metadata"] = new JsonObject
            {
                ["annotations"] = new JsonObject { ["pv.kubernetes.io/bind-completed"] = "yes", ["pv.kubernetes.io/bound-by-controller"] = "yes" },
            },
        }, null, ct);
        await WriteClaimStatusAsync(updated, BoundStatus(updated, volume), ct);
    }

    public static JsonObject ClaimRef(JsonObject claim) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolumeClaim",
        ["namespace"] = claim.Str("metadata", "namespace"),
        ["name"] = claim.Str("metadata", "name"),
        ["uid"] = claim.Str("metadata", "uid"),
        ["resourceVersion"] = claim.Str("metadata", "resourceVersion"),
    };

    private static JsonObject BoundStatus(JsonObject claim, JsonObject volume)
    {
        var status = claim.Obj("status")?.Clone() ?? [];
        status["phase"] = "Bound";
        status["accessModes"] = volume.At("spec", "accessModes")?.DeepClone();
        status["capacity"] = volume.Obj("spec", "capacity")?.Clone();
        return status;
    }

    private async Task WriteClaimStatusAsync(JsonObject claim, JsonObject status, CancellationToken ct) =>
        await StatusWriter.WriteAsync(_client, Resources.PersistentVolumeClaims, claim, status, ct);

    private async Task SyncVolumeAsync(JsonObject volume, CancellationToken ct)
    {
        var claimRef = volume.Obj("spec", "claimRef");
        string phase;
        if (claimRef is null)
        {
            phase = "Available";
        }
        else
        {
            var claim = _claims.Get(claimRef.Str("namespace"), claimRef.Str("name"));
            phase = claim is not null && claim.Str("metadata", "uid") == claimRef.Str("uid") ? "Bound" : "Released";
        }
        var status = volume.Obj("status")?.Clone() ?? [];
        status["phase"] = phase;
        await StatusWriter.WriteAsync(_client, Resources.PersistentVolumes, volume, status, ct);
    }


}
