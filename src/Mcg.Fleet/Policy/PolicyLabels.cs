namespace Mcg.Fleet.Policy;

/// <summary>The labels and annotations the OCM policy framework puts on policies (upstream names).</summary>
public static class PolicyLabels
{
    /// <summary>On a replicated policy: the root policy as <c>namespace.name</c>.</summary>
    public const string RootPolicy = "policy.open-cluster-management.io/root-policy";

    /// <summary>On a replicated policy: the managed cluster it was replicated to.</summary>
    public const string ClusterName = "policy.open-cluster-management.io/cluster-name";

    /// <summary>On a replicated policy: the cluster namespace on the hub it lives in.</summary>
    public const string ClusterNamespace = "policy.open-cluster-management.io/cluster-namespace";

    /// <summary>On a ConfigurationPolicy on a managed cluster: the replicated policy it comes from.</summary>
    public const string Policy = "policy.open-cluster-management.io/policy";

    /// <summary>On a PlacementDecision: the Placement it belongs to.</summary>
    public const string Placement = "cluster.open-cluster-management.io/placement";

    /// <summary>A root-policy annotation that only forces a re-propagation; never copied to replicas.</summary>
    public const string TriggerUpdate = "policy.open-cluster-management.io/trigger-update";

    /// <summary>The name of a root policy's replicas: <c>namespace.name</c>.</summary>
    public static string ReplicaName(string rootNamespace, string rootName) => $"{rootNamespace}.{rootName}";

    /// <summary>
    /// Splits a <c>namespace.name</c> replica name (or root-policy label value) into the root's namespace and name.
    /// Namespaces cannot contain dots, so the first dot separates them.
    /// </summary>
    public static bool TryParseReplicaName(string? value, out string rootNamespace, out string rootName)
    {
        var dot = value?.IndexOf('.') ?? -1;
        if (value is null || dot <= 0 || dot == value.Length - 1)
        {
            rootNamespace = rootName = "";
            return false;
        }
        rootNamespace = value[..dot];
        rootName = value[(dot + 1)..];
        return true;
    }
}
