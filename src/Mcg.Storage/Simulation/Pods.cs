using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Storage.Simulation;

/// <summary>Facts about Pods that every simulated controller uses (as upstream's podutil).</summary>
internal static class Pods
{
    public static bool IsTerminal(JsonObject pod) => pod.Str("status", "phase") is "Succeeded" or "Failed";

    /// <summary>Counts towards a controller's replicas: not finished and not being deleted.</summary>
    public static bool IsActive(JsonObject pod) => !IsTerminal(pod) && !pod.IsDeleting();

    public static bool IsReady(JsonObject pod) =>
        pod.Str("status", "phase") == "Running" && CoreConditions.Status(pod, "Ready") == "True";

    public static bool IsDaemonPod(JsonObject pod) => pod.ControllerRef()?.Str("kind") == "DaemonSet";

    /// <summary>The sum of the containers' requests (init containers run first, so their maximum counts, as the scheduler's).</summary>
    public static decimal Request(JsonObject pod, string resource)
    {
        decimal Of(JsonObject c) => Quantity.TryParse(c.Str("resources", "requests", resource), out var q) ? q : 0;
        var sum = pod.Items("spec", "containers").Sum(Of);
        var init = pod.Items("spec", "initContainers").Select(Of).DefaultIfEmpty(0).Max();
        return Math.Max(sum, init);
    }

    /// <summary>The claims a pod mounts: (volume name, claim name).</summary>
    public static IEnumerable<(string Volume, string Claim)> Claims(JsonObject pod) =>
        pod.Items("spec", "volumes")
            .Where(v => v["persistentVolumeClaim"] is JsonObject)
            .Select(v => (v.Str("name"), v.Str("persistentVolumeClaim", "claimName")));

    /// <summary>Creates a pod object from a controller's pod template (labels, annotations, spec) owned by the controller.</summary>
    public static JsonObject FromTemplate(JsonObject owner, JsonObject template, string? name, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var meta = template.Obj("metadata")?.Clone() ?? [];
        var labels = meta["labels"]?.DeepClone() as JsonObject ?? [];
        foreach (var (k, v) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[k] = v;
        }
        var metadata = new JsonObject
        {
            ["namespace"] = owner.Str("metadata", "namespace"),
            ["labels"] = labels,
            ["ownerReferences"] = new JsonArray(Json.OwnerReference(owner)),
        };
        if (meta["annotations"] is JsonObject annotations)
        {
            metadata["annotations"] = annotations.Clone();
        }
        if (name is null)
        {
            metadata["generateName"] = $"{owner.Str("metadata", "name")}-";
        }
        else
        {
            metadata["name"] = name;
        }
        var spec = template.Obj("spec")?.Clone() ?? [];
        spec["restartPolicy"] ??= "Always";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec, ["status"] = new JsonObject { ["phase"] = "Pending" } };
    }
}
