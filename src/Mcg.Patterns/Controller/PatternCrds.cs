using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Patterns.Controller;

/// <summary>
/// The kinds the pattern controller serves or writes that no other part of the hub installs: the patterns operator's
/// <c>gitops.hybrid-cloud-patterns.io/v1alpha1</c> Pattern (short name <c>patt</c>, Step/Error columns as upstream),
/// OLM's kinds (the clustergroup chart emits Subscriptions and OperatorGroups), and the Hive kinds the acm chart emits for
/// cluster provisioning.
/// </summary>
public static class PatternCrds
{
    public const string Group = "gitops.hybrid-cloud-patterns.io";

    public static readonly ResourceRef Patterns = new(Group, "v1alpha1", "patterns", "Pattern", true);

    public static readonly ResourceRef ClusterPools = new("hive.openshift.io", "v1", "clusterpools", "ClusterPool", true);
    public static readonly ResourceRef ClusterClaims = new("hive.openshift.io", "v1", "clusterclaims", "ClusterClaim", true);
    public static readonly ResourceRef ClusterDeployments = new("hive.openshift.io", "v1", "clusterdeployments", "ClusterDeployment", true);

    public static IReadOnlyList<JsonObject> All =>
    [
        Crd(ClusterPools, ["cp"], [("Size", ".spec.size", 0), ("Platform", ".metadata.labels.cloud", 0)]),
        Crd(ClusterClaims, [], [("Pool", ".spec.clusterPoolName", 0), ("Provisioned", ".status.conditions[?(@.type==\"Provisioned\")].status", 0)]),
        Crd(ClusterDeployments, ["cd"], [("ClusterName", ".spec.clusterName", 0), ("Provisioned", ".status.conditions[?(@.type==\"Provisioned\")].status", 0)]),
        Crd(Patterns, ["patt"], [("Step", ".status.lastStep", 1), ("Error", ".status.lastError", 2)]),
        .. OlmKinds.Crds(),
    ];

    private static JsonObject Crd(ResourceRef r, string[] shortNames, (string Name, string Path, int Priority)[] columns) =>
        CustomResourceDefinitions.Build(r, shortNames, columns.Select(c => new CustomResourceDefinitions.Column(c.Name, c.Path, c.Priority)).ToList());
}
