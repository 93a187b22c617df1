namespace Mcg.Kube.Patching;

/// <summary>
/// The list merge keys the built-in Kubernetes types declare (patchMergeKey / x-kubernetes-list-map-keys),
/// keyed by the JSON field name of the list. Strategic merge patch and server-side apply both use this table;
/// lists not in it are atomic (replaced as a whole), except <see cref="SetLists"/>.
/// </summary>
public static class MergeKeys
{
    private static readonly Dictionary<string, string> ByField = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["env"] = "name",
        ["imagePullSecrets"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ownerReferences"] = "uid",
        ["conditions"] = "type",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
    };

    /// <summary>Lists of primitives merged as sets.</summary>
    public static readonly IReadOnlySet<string> SetLists = new HashSet<string>(StringComparer.Ordinal) { "finalizers" };

    /// <summary>
    /// The merge key for the list stored under <paramref name="field"/>, or null for an atomic list.
    /// <paramref name="parentPath"/> holds the field names from the root to the list's parent, without list indices
    /// (a Pod's container ports: ["spec", "containers"]; a Service's ports: ["spec"]).
    /// </summary>
    public static string? For(IReadOnlyList<string> parentPath, string field)
    {
        if (field == "ports")
        {
            // Container ports merge by containerPort; Service ports by port.
            return parentPath.Count > 0 && parentPath[^1] == "containers" || parentPath.Count > 0 && parentPath[^1] is "initContainers" or "ephemeralContainers"
                ? "containerPort"
                : "port";
        }
        return ByField.GetValueOrDefault(field);
    }
}
