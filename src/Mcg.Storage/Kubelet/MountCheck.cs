using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Kubelet;

/// <summary>Why a pod's containers cannot start yet, with the event the kubelet would record.</summary>
internal sealed record Blocker(string Reason, string Message, string WaitingReason = "ContainerCreating");

/// <summary>
/// The kubelet's volume manager and container config checks: every Secret/ConfigMap volume and env reference exists,
/// every claim is bound, and every CSI volume is attached to this node (its VolumeAttachment reports attached).
/// </summary>
internal sealed class MountCheck(SharedInformers informers)
{
    private readonly Informer _secrets = informers.For(Resources.Secrets);
    private readonly Informer _configMaps = informers.For(Resources.ConfigMaps);
    private readonly Informer _claims = informers.For(Resources.PersistentVolumeClaims);
    private readonly Informer _volumes = informers.For(Resources.PersistentVolumes);
    private readonly Informer _attachments = informers.For(Resources.VolumeAttachments);

    /// <summary>The name upstream's attach-detach controller gives the VolumeAttachment of a CSI volume on a node.</summary>
    public static string AttachmentName(string volumeHandle, string driver, string node) =>
        "csi-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(volumeHandle + driver + node))).ToLowerInvariant();

    /// <summary>CSI volumes the pod needs attached: (volume name, PV).</summary>
    public IEnumerable<(string Volume, JsonObject Pv)> CsiVolumes(JsonObject pod)
    {
        var ns = pod.Str("metadata", "namespace");
        foreach (var (volume, claim) in Pods.Claims(pod))
        {
            if (_claims.Get(ns, claim) is { } pvc && _volumes.Get(null, pvc.Str("spec", "volumeName")) is { } pv && pv["spec"]?["csi"] is JsonObject)
            {
                yield return (volume, pv);
            }
        }
    }

    public Blocker? Check(JsonObject pod)
    {
        var ns = pod.Str("metadata", "namespace");
        var node = pod.Str("spec", "nodeName");
        foreach (var volume in pod.Items("spec", "volumes"))
        {
            var name = volume.Str("name");
            if (volume.Obj("secret") is { } secret && !secret.Bool("optional") && _secrets.Get(ns, secret.Str("secretName")) is null)
            {
                return new Blocker("FailedMount", $"MountVolume.SetUp failed for volume \"{name}\" : secret \"{secret.Str("secretName")}\" not found");
            }
            if (volume.Obj("configMap") is { } cm && !cm.Bool("optional") && _configMaps.Get(ns, cm.Str("name")) is null)
            {
                return new Blocker("FailedMount", $"MountVolume.SetUp failed for volume \"{name}\" : configmap \"{cm.Str("name")}\" not found");
            }
            foreach (var source in volume.Items("projected", "sources"))
            {
                if (source.Obj("secret") is { } ps && !ps.Bool("optional") && _secrets.Get(ns, ps.Str("name")) is null)
                {
                    return new Blocker("FailedMount", $"MountVolume.SetUp failed for volume \"{name}\" : secret \"{ps.Str("name")}\" not found");
                }
                if (source.Obj("configMap") is { } pc && !pc.Bool("optional") && _configMaps.Get(ns, pc.Str("name")) is null)
                {
                    return new Blocker("FailedMount", $"MountVolume.SetUp failed for volume \"{name}\" : configmap \"{pc.Str("name")}\" not found");
                }
            }
            if (volume.Obj("persistentVolumeClaim") is { } claimRef)
            {
                var pvc = _claims.Get(ns, claimRef.Str("claimName"));
                if (pvc is null || pvc.Str("status", "phase") != "Bound" || _volumes.Get(null, pvc.Str("spec", "volumeName")) is not { } pv)
                {
                    return new Blocker("FailedMount", $"Unable to attach or mount volumes: unmounted volumes=[{name}], unattached volumes=[{name}]: timed out waiting for the condition");
                }
                if (pv.Obj("spec", "csi") is { } csi)
                {
                    var attachment = _attachments.Get(null, AttachmentName(csi.Str("volumeHandle"), csi.Str("driver"), node));
                    if (attachment?.Obj("status", "attachError") is { } error)
                    {
                        return new Blocker("FailedAttachVolume", $"AttachVolume.Attach failed for volume \"{pv.Str("metadata", "name")}\" : {error.Str("message")}");
                    }
                    if (!attachment.Bool("status", "attached"))
                    {
                        return new Blocker("", "");
                    }
                }
            }
        }
        foreach (var container in pod.Items("spec", "initContainers").Concat(pod.Items("spec", "containers")))
        {
            foreach (var env in container.Items("env"))
            {
                if (env.Obj("valueFrom", "secretKeyRef") is { } sk && !sk.Bool("optional"))
                {
                    var s = _secrets.Get(ns, sk.Str("name"));
                    if (s is null)
                    {
                        return new Blocker("Failed", $"Error: secret \"{sk.Str("name")}\" not found", "CreateContainerConfigError");
                    }
                    if (s.Obj("data")?.ContainsKey(sk.Str("key")) != true && s.Obj("stringData")?.ContainsKey(sk.Str("key")) != true)
                    {
                        return new Blocker("Failed", $"Error: couldn't find key {sk.Str("key")} in Secret {ns}/{sk.Str("name")}", "CreateContainerConfigError");
                    }
                }
                if (env.Obj("valueFrom", "configMapKeyRef") is { } ck && !ck.Bool("optional"))
                {
                    var c = _configMaps.Get(ns, ck.Str("name"));
                    if (c is null)
                    {
                        return new Blocker("Failed", $"Error: configmap \"{ck.Str("name")}\" not found", "CreateContainerConfigError");
                    }
                    if (c.Obj("data")?.ContainsKey(ck.Str("key")) != true)
                    {
                        return new Blocker("Failed", $"Error: couldn't find key {ck.Str("key")} in ConfigMap {ns}/{ck.Str("name")}", "CreateContainerConfigError");
                    }
                }
            }
            foreach (var from in container.Items("envFrom"))
            {
                if (from.Obj("secretRef") is { } sr && !sr.Bool("optional") && _secrets.Get(ns, sr.Str("name")) is null)
                {
                    return new Blocker("Failed", $"Error: secret \"{sr.Str("name")}\" not found", "CreateContainerConfigError");
                }
                if (from.Obj("configMapRef") is { } cr && !cr.Bool("optional") && _configMaps.Get(ns, cr.Str("name")) is null)
                {
                    return new Blocker("Failed", $"Error: configmap \"{cr.Str("name")}\" not found", "CreateContainerConfigError");
                }
            }
        }
        return null;
    }
}
