using System.Text.Json.Nodes;

namespace Mcg.Fleet.Registration;

/// <summary>
/// The hub-side identities of a managed cluster and what they may touch: the bootstrap identity can register its
/// ManagedCluster and read its own credential; the agent identity can use only its cluster namespace and its own
/// ManagedCluster. Names follow OCM's (<c>open-cluster-management:managedcluster:&lt;name&gt;</c>).
/// </summary>
public static class FleetRbac
{
    public const string BootstrapNamespace = "open-cluster-management";
    public const string AgentServiceAccount = "klusterlet";
    public const string CredentialSecret = "hub-kubeconfig-secret";

    public static string BootstrapServiceAccount(string cluster) => $"bootstrap-{cluster}";

    public static JsonObject ServiceAccount(string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
    };

    /// <summary>Bootstrap: register (create) ManagedClusters and read its own.</summary>
    public static IEnumerable<JsonObject> Bootstrap(string cluster)
    {
        var name = $"open-cluster-management:bootstrap:{cluster}";
        yield return ClusterRole(name,
            Rule(["cluster.open-cluster-management.io"], ["managedclusters"], ["create"]),
            Rule(["cluster.open-cluster-management.io"], ["managedclusters"], ["get"], [cluster]));
        yield return ClusterRoleBinding(name, name, BootstrapNamespace, BootstrapServiceAccount(cluster));
    }

    /// <summary>What the accepted cluster's agent may do: its namespace's work, leases, events and policies; its own ManagedCluster.</summary>
    public static IEnumerable<JsonObject> Agent(string cluster)
    {
        var name = $"open-cluster-management:managedcluster:{cluster}";
        yield return ClusterRole(name,
            Rule(["cluster.open-cluster-management.io"], ["managedclusters"], ["get", "update", "patch"], [cluster]),
            Rule(["cluster.open-cluster-management.io"], ["managedclusters/status"], ["get", "update", "patch"], [cluster]));
        yield return ClusterRoleBinding(name, name, cluster, AgentServiceAccount);
        yield return Role(cluster, name,
            Rule(["work.open-cluster-management.io"], ["manifestworks", "manifestworks/status"], ["get", "list", "watch", "update", "patch"]),
            Rule(["coordination.k8s.io"], ["leases"], ["get", "list", "watch", "create", "update", "patch"]),
            Rule([""], ["events"], ["create", "patch", "update"]),
            Rule(["policy.open-cluster-management.io"], ["policies", "policies/status"], ["get", "list", "watch", "update", "patch"]));
        yield return RoleBinding(cluster, name, name, cluster, AgentServiceAccount);
        // The bootstrap identity may fetch the agent credential, and nothing else in the namespace.
        var fetch = $"open-cluster-management:bootstrap:{cluster}";
        yield return Role(cluster, fetch, Rule([""], ["secrets"], ["get"], [CredentialSecret]));
        yield return RoleBinding(cluster, fetch, fetch, BootstrapNamespace, BootstrapServiceAccount(cluster));
    }

    private static JsonObject Rule(string[] groups, string[] resources, string[] verbs, string[]? names = null)
    {
        var rule = new JsonObject
        {
            ["apiGroups"] = Array(groups),
            ["resources"] = Array(resources),
            ["verbs"] = Array(verbs),
        };
        if (names is not null)
        {
            rule["resourceNames"] = Array(names);
        }
        return rule;
    }

    private static JsonObject ClusterRole(string name, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRole",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["rules"] = new JsonArray(rules),
    };

    private static JsonObject Role(string ns, string name, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "Role",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["rules"] = new JsonArray(rules),
    };

    private static JsonObject ClusterRoleBinding(string name, string role, string saNamespace, string sa) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = sa, ["namespace"] = saNamespace }),
    };

    private static JsonObject RoleBinding(string ns, string name, string role, string saNamespace, string sa) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "RoleBinding",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Role", ["name"] = role },
        ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = sa, ["namespace"] = saNamespace }),
    };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
