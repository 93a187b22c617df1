namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// kustomize's output order. "legacy" (the default) sorts by kind — the orderFirst kinds in that order, then all others,
/// then the orderLast kinds — then by group_version_kind, name and namespace; "fifo" keeps the build order.
/// </summary>
internal static class ResourceOrder
{
    private static readonly string[] DefaultFirst =
    [
        "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role",
        "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
        "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
    ];

    private static readonly string[] DefaultLast = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

    public static IReadOnlyList<Resource> Sort(IReadOnlyList<Resource> resources, SortOptions? options)
    {
        if (options?.Fifo == true)
        {
            return resources;
        }
        var first = options?.OrderFirst ?? DefaultFirst;
        var last = options?.OrderLast ?? DefaultLast;
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < first.Count; i++)
        {
            rank.TryAdd(first[i], i - first.Count);
        }
        for (var i = 0; i < last.Count; i++)
        {
            rank.TryAdd(last[i], i + 1);
        }
        return resources
            .Select(r => (Resource: r, Id: r.CurId))
            .OrderBy(x => rank.GetValueOrDefault(x.Id.Gvk.Kind))
            .ThenBy(x => ResId.GvkKey(x.Id.Gvk), StringComparer.Ordinal)
            .ThenBy(x => x.Id.ToString(), StringComparer.Ordinal)
            .Select(x => x.Resource)
            .ToList();
    }
}
