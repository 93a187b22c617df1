using Mcg.Kube.Objects;

namespace Mcg.Kube.Client;

/// <summary>
/// A resolved API resource: its group/version/resource (the URL coordinates), the kind it serves and whether it is
/// namespaced. Obtain one from <see cref="IKubeClient.ResolveAsync"/> (discovery) or use a well-known one.
/// </summary>
public sealed record ResourceRef(string Group, string Version, string Resource, string Kind, bool Namespaced)
{
    public static readonly ResourceRef Namespaces = new("", "v1", "namespaces", "Namespace", false);
    public static readonly ResourceRef ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);
    public static readonly ResourceRef Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceRef ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true);
    public static readonly ResourceRef Roles = new("rbac.authorization.k8s.io", "v1", "roles", "Role", true);
    public static readonly ResourceRef RoleBindings = new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true);
    public static readonly ResourceRef ClusterRoles = new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false);
    public static readonly ResourceRef ClusterRoleBindings = new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false);
    public static readonly ResourceRef CronJobs = new("batch", "v1", "cronjobs", "CronJob", true);
    public static readonly ResourceRef Events = new("", "v1", "events", "Event", true);
    public static readonly ResourceRef Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);
    public static readonly ResourceRef CustomResourceDefinitions =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false);

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public GroupVersionKind Gvk => new(Group, Version, Kind);

    /// <summary>The URL path of the collection; a null namespace on a namespaced resource means all namespaces.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Resource}"
            : $"{root}/{Resource}";
    }

    /// <summary>The URL path of one object (optionally a subresource of it such as <c>status</c>).</summary>
    public string ItemPath(string? ns, string name, string? subresource = null)
    {
        if (Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"{Resource}.{Group} is namespaced: a namespace is required", nameof(ns));
        }
        var path = $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
        return subresource is null ? path : $"{path}/{subresource}";
    }

    public override string ToString() => Group.Length == 0 ? $"{Resource}/{Version}" : $"{Resource}.{Group}/{Version}";
}
