using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Fleet.Crds;

/// <summary>
/// The Open Cluster Management kinds the hub serves, with upstream groups, versions, names and scopes, so that
/// existing OCM/ACM YAML applies unchanged. Schemas are open; controllers validate what they read.
/// </summary>
public static class OcmCrds
{
    public const string ClusterGroup = "cluster.open-cluster-management.io";
    public const string WorkGroup = "work.open-cluster-management.io";
    public const string PolicyGroup = "policy.open-cluster-management.io";
    public const string AppsGroup = "apps.open-cluster-management.io";

    public static readonly ResourceRef ManagedClusters = new(ClusterGroup, "v1", "managedclusters", "ManagedCluster", false);
    public static readonly ResourceRef ManagedClusterSets = new(ClusterGroup, "v1beta2", "managedclustersets", "ManagedClusterSet", false);
    public static readonly ResourceRef ManagedClusterSetBindings = new(ClusterGroup, "v1beta2", "managedclustersetbindings", "ManagedClusterSetBinding", true);
    public static readonly ResourceRef Placements = new(ClusterGroup, "v1beta1", "placements", "Placement", true);
    public static readonly ResourceRef PlacementDecisions = new(ClusterGroup, "v1beta1", "placementdecisions", "PlacementDecision", true);
    public static readonly ResourceRef ManifestWorks = new(WorkGroup, "v1", "manifestworks", "ManifestWork", true);
    public static readonly ResourceRef AppliedManifestWorks = new(WorkGroup, "v1", "appliedmanifestworks", "AppliedManifestWork", false);
    public static readonly ResourceRef Policies = new(PolicyGroup, "v1", "policies", "Policy", true);
    public static readonly ResourceRef PlacementBindings = new(PolicyGroup, "v1", "placementbindings", "PlacementBinding", true);
    public static readonly ResourceRef ConfigurationPolicies = new(PolicyGroup, "v1", "configurationpolicies", "ConfigurationPolicy", true);
    public static readonly ResourceRef PlacementRules = new(AppsGroup, "v1", "placementrules", "PlacementRule", true);

    /// <summary>The CRDs a hub installs.</summary>
    public static IReadOnlyList<JsonObject> Hub =>
    [
        Crd(ManagedClusters, ["mcl", "mcls"], status: true, columns:
        [
            ("Hub Accepted", "boolean", ".spec.hubAcceptsClient"),
            ("Managed Cluster URLs", "string", ".spec.managedClusterClientConfigs[*].url"),
            ("Joined", "string", ".status.conditions[?(@.type==\"ManagedClusterJoined\")].status"),
            ("Available", "string", ".status.conditions[?(@.type==\"ManagedClusterConditionAvailable\")].status"),
        ]),
        Crd(ManagedClusterSets, ["mclset", "mclsets"], status: true),
        Crd(ManagedClusterSetBindings, ["mclsetbinding", "mclsetbindings"], status: true),
        Crd(Placements, [], status: true, columns:
        [
            ("Succeeded", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].status"),
            ("Reason", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].reason"),
            ("SelectedClusters", "integer", ".status.numberOfSelectedClusters"),
        ]),
        Crd(PlacementDecisions, [], status: true),
        Crd(ManifestWorks, ["mw"], status: true),
        Crd(Policies, ["plc"], status: true, columns:
        [
            ("Remediation action", "string", ".spec.remediationAction"),
            ("Compliance state", "string", ".status.compliant"),
        ]),
        Crd(PlacementBindings, ["pb"], status: true),
        Crd(PlacementRules, ["plr"], status: true),
    ];

    /// <summary>The CRDs an agent installs on its managed cluster.</summary>
    public static IReadOnlyList<JsonObject> Spoke =>
    [
        Crd(AppliedManifestWorks, [], status: true),
        Crd(ConfigurationPolicies, [], status: true, columns: [("Compliance state", "string", ".status.compliant")]),
    ];

    private static JsonObject Crd(ResourceRef r, string[] shortNames, bool status, (string Name, string Type, string Path)[]? columns = null)
    {
        var version = new JsonObject
        {
            ["name"] = r.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
        };
        if (status)
        {
            version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
        }
        if (columns is { Length: > 0 })
        {
            var cols = new JsonArray(columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["jsonPath"] = c.Path }).ToArray());
            cols.Add(new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" });
            version["additionalPrinterColumns"] = cols;
        }
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{r.Resource}.{r.Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = r.Group,
                ["scope"] = r.Namespaced ? "Namespaced" : "Cluster",
                ["names"] = new JsonObject
                {
                    ["plural"] = r.Resource,
                    ["singular"] = r.Kind.ToLowerInvariant(),
                    ["kind"] = r.Kind,
                    ["listKind"] = r.Kind + "List",
                    ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode)s).ToArray()),
                },
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>Applies CRDs and waits until each is Established.</summary>
    public static async Task InstallAsync(IKubeClient client, IEnumerable<JsonObject> crds, CancellationToken ct)
    {
        var list = crds.ToList();
        foreach (var crd in list)
        {
            await client.ApplyAsync(ResourceRef.CustomResourceDefinitions, crd, new ApplyOptions("mcg-install") { Force = true }, ct);
        }
        foreach (var crd in list)
        {
            var name = crd["metadata"]!["name"]!.GetValue<string>();
            while ((await client.GetAsync(ResourceRef.CustomResourceDefinitions, null, name, ct))?["status"]?["conditions"] is not JsonArray conditions
                || !conditions.Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True"))
            {
                await Task.Delay(100, ct);
            }
        }
    }
}
