using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

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
        Crd(ManagedClusters, ["mcl", "mcls"], columns:
        [
            ("Hub Accepted", "boolean", ".spec.hubAcceptsClient"),
            ("Managed Cluster URLs", "string", ".spec.managedClusterClientConfigs[*].url"),
            ("Joined", "string", ".status.conditions[?(@.type==\"ManagedClusterJoined\")].status"),
            ("Available", "string", ".status.conditions[?(@.type==\"ManagedClusterConditionAvailable\")].status"),
        ]),
        Crd(ManagedClusterSets, ["mclset", "mclsets"]),
        Crd(ManagedClusterSetBindings, ["mclsetbinding", "mclsetbindings"]),
        Crd(Placements, [], columns:
        [
            ("Succeeded", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].status"),
            ("Reason", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].reason"),
            ("SelectedClusters", "integer", ".status.numberOfSelectedClusters"),
        ]),
        Crd(PlacementDecisions, []),
        Crd(ManifestWorks, ["mw"]),
        Crd(Policies, ["plc"], columns:
        [
            ("Remediation action", "string", ".spec.remediationAction"),
            ("Compliance state", "string", ".status.compliant"),
        ]),
        Crd(PlacementBindings, ["pb"]),
        Crd(PlacementRules, ["plr"]),
    ];

    /// <summary>The CRDs an agent installs on its managed cluster.</summary>
    public static IReadOnlyList<JsonObject> Spoke =>
    [
        Crd(AppliedManifestWorks, []),
        Crd(ConfigurationPolicies, [], columns: [("Compliance state", "string", ".status.compliant")]),
    ];

    private static JsonObject Crd(ResourceRef r, string[] shortNames, (string Name, string Type, string Path)[]? columns = null) =>
        CustomResourceDefinitions.Build(r, shortNames, (columns ?? []).Select(c => new CustomResourceDefinitions.Column(c.Name, c.Path, Type: c.Type)).ToList());

    /// <summary>Applies CRDs and waits until each is Established.</summary>
    public static Task InstallAsync(IKubeClient client, IEnumerable<JsonObject> crds, CancellationToken ct) =>
        CustomResourceDefinitions.ApplyAndWaitAsync(client, crds, "mcg-install", ct);
}
