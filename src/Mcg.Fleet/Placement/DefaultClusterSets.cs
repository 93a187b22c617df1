using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;

namespace Mcg.Fleet.Placement;

/// <summary>The ManagedClusterSets an OCM hub always has: <c>default</c> (exclusive label) and <c>global</c> (all clusters).</summary>
public static class DefaultClusterSets
{
    public static IReadOnlyList<string> Names => [OcmLabels.DefaultClusterSetName, OcmLabels.GlobalClusterSetName];

    /// <summary>The <c>spec.clusterSelector</c> the hub keeps on the named set.</summary>
    public static JsonObject ClusterSelector(string name) => name switch
    {
        OcmLabels.DefaultClusterSetName => new JsonObject { ["selectorType"] = ClusterSetSelector.ExclusiveClusterSetLabel },
        OcmLabels.GlobalClusterSetName => new JsonObject
        {
            ["selectorType"] = ClusterSetSelector.LabelSelectorType,
            ["labelSelector"] = new JsonObject(),
        },
        _ => throw new ArgumentException($"{name} is not a default cluster set", nameof(name)),
    };

    public static JsonObject Object(string name) => new()
    {
        ["apiVersion"] = OcmCrds.ManagedClusterSets.ApiVersion,
        ["kind"] = OcmCrds.ManagedClusterSets.Kind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["clusterSelector"] = ClusterSelector(name) },
    };
}
