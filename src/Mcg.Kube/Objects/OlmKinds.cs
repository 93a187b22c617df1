using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Kube.Objects;

/// <summary>
/// Operator Lifecycle Manager's <c>operators.coreos.com</c> kinds and their CRDs: the pattern controller writes
/// Subscriptions and OperatorGroups, and a virtual cluster's OLM simulator serves and reconciles them.
/// </summary>
public static class OlmKinds
{
    public static readonly ResourceRef Subscriptions = new("operators.coreos.com", "v1alpha1", "subscriptions", "Subscription", true);
    public static readonly ResourceRef OperatorGroups = new("operators.coreos.com", "v1", "operatorgroups", "OperatorGroup", true);
    public static readonly ResourceRef ClusterServiceVersions = new("operators.coreos.com", "v1alpha1", "clusterserviceversions", "ClusterServiceVersion", true);
    public static readonly ResourceRef InstallPlans = new("operators.coreos.com", "v1alpha1", "installplans", "InstallPlan", true);

    public static IReadOnlyList<JsonObject> Crds() =>
    [
        CustomResourceDefinitions.Build(Subscriptions, ["sub", "subs"],
            [new("Package", ".spec.name"), new("Source", ".spec.source"), new("Channel", ".spec.channel")]),
        CustomResourceDefinitions.Build(OperatorGroups, ["og"], []),
        CustomResourceDefinitions.Build(ClusterServiceVersions, ["csv", "csvs"],
            [new("Display", ".spec.displayName"), new("Version", ".spec.version"), new("Phase", ".status.phase")]),
        CustomResourceDefinitions.Build(InstallPlans, ["ip"], [new("CSV", ".spec.clusterServiceVersionNames[0]"), new("Approval", ".spec.approval")]),
    ];
}
