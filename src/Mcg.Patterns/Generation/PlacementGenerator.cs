using System.Text.Json.Nodes;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>
/// The acm chart's placement for a managed cluster group (<c>validatedpatterns/acm-chart
/// templates/policies/application-policies.yaml</c>): Placement <c>&lt;group&gt;-placement</c> in
/// <c>open-cluster-management</c> selecting the clusters labelled with the group's <c>acmlabels</c> (default
/// <c>clusterGroup=&lt;name&gt;</c>) and not <c>local-cluster=true</c> (the hub); a <c>clusterSelector</c> replaces the
/// selector entirely. Plus the ManagedClusterSetBinding <c>default</c> that lets the Placement see the default set.
/// </summary>
public static class PlacementGenerator
{
    public const string Namespace = "open-cluster-management";

    public static string PlacementName(ManagedClusterGroupEntry group) => $"{group.Name}-placement";

    public static JsonObject Placement(ManagedClusterGroupEntry group)
    {
        JsonObject selector;
        if (group.ClusterSelector is not null)
        {
            selector = (JsonObject)group.ClusterSelector.DeepClone();
        }
        else
        {
            var labels = group.AcmLabels.Count > 0 ? group.AcmLabels : [KeyValuePair.Create("clusterGroup", group.Name)];
            selector = new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "local-cluster", ["operator"] = "NotIn", ["values"] = new JsonArray("true") }),
                ["matchLabels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
            };
        }
        return new JsonObject
        {
            ["apiVersion"] = "cluster.open-cluster-management.io/v1beta1",
            ["kind"] = "Placement",
            ["metadata"] = new JsonObject { ["name"] = PlacementName(group), ["namespace"] = Namespace },
            ["spec"] = new JsonObject
            {
                ["predicates"] = new JsonArray(new JsonObject { ["requiredClusterSelector"] = new JsonObject { ["labelSelector"] = selector } }),
                ["tolerations"] = new JsonArray(
                    new JsonObject { ["key"] = "cluster.open-cluster-management.io/unreachable", ["operator"] = "Exists" },
                    new JsonObject { ["key"] = "cluster.open-cluster-management.io/unavailable", ["operator"] = "Exists" }),
            },
        };
    }

    public static JsonObject ClusterSetBinding() => new()
    {
        ["apiVersion"] = "cluster.open-cluster-management.io/v1beta2",
        ["kind"] = "ManagedClusterSetBinding",
        ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = Namespace },
        ["spec"] = new JsonObject { ["clusterSet"] = "default" },
    };
}
