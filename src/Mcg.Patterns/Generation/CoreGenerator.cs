using System.Text.Json.Nodes;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>
/// The clustergroup chart's "core" and project objects for a cluster group: Namespaces
/// (<c>templates/core/namespaces.yaml</c>), OperatorGroups (<c>templates/core/operatorgroup.yaml</c>), OLM Subscriptions
/// (<c>templates/core/subscriptions.yaml</c>) and AppProjects (<c>templates/plumbing/argoProjects.yaml</c>).
/// </summary>
public static class CoreGenerator
{
    public static IEnumerable<JsonObject> Namespaces(PatternValues values)
    {
        var managedBy = $"{values.Global.Pattern}-{values.ClusterGroup.Name}";
        foreach (var ns in values.ClusterGroup.Namespaces)
        {
            var labels = new JsonObject { [PatternLabels.ManagedBy] = managedBy };
            foreach (var (k, v) in ns.Labels)
            {
                labels[k] = v;
            }
            var metadata = new JsonObject { ["name"] = ns.Name, ["labels"] = labels };
            if (ns.Annotations.Count > 0)
            {
                metadata["annotations"] = new JsonObject(ns.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
            }
            yield return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = metadata };
        }
    }

    /// <summary>
    /// One OperatorGroup <c>&lt;ns&gt;-operator-group</c> per namespace unless <c>operatorGroup: false</c>; targetNamespaces
    /// default to the namespace itself, an explicit empty list means all namespaces (no spec).
    /// </summary>
    public static IEnumerable<JsonObject> OperatorGroups(PatternValues values)
    {
        foreach (var ns in values.ClusterGroup.Namespaces)
        {
            if (ns.HasOptions && ns.OperatorGroup == false)
            {
                continue;
            }
            var og = new JsonObject
            {
                ["apiVersion"] = "operators.coreos.com/v1",
                ["kind"] = "OperatorGroup",
                ["metadata"] = new JsonObject { ["name"] = $"{ns.Name}-operator-group", ["namespace"] = ns.Name },
            };
            var targets = ns.TargetNamespaces ?? [ns.Name];
            if (targets.Count > 0)
            {
                og["spec"] = new JsonObject { ["targetNamespaces"] = new JsonArray(targets.Select(t => (JsonNode?)t).ToArray()) };
            }
            yield return og;
        }
    }

    public static IEnumerable<JsonObject> Subscriptions(PatternValues values)
    {
        var options = values.Global;
        foreach (var sub in values.ClusterGroup.Subscriptions)
        {
            foreach (var ns in sub.Namespaces)
            {
                var metadata = new JsonObject { ["name"] = sub.Name, ["namespace"] = ns };
                if (sub.Annotations.Count > 0)
                {
                    metadata["annotations"] = new JsonObject(sub.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
                }
                var spec = new JsonObject { ["name"] = sub.Name, ["source"] = sub.Source, ["sourceNamespace"] = sub.SourceNamespace };
                if (sub.Channel is not null)
                {
                    spec["channel"] = sub.Channel;
                }
                spec["installPlanApproval"] = sub.InstallPlanApproval ?? options.InstallPlanApproval;
                if (sub.Config is not null)
                {
                    spec["config"] = sub.Config.DeepClone();
                }
                if (sub.Csv is not null || options.UseCsv)
                {
                    spec["startingCSV"] = sub.Csv;
                }
                yield return new JsonObject
                {
                    ["apiVersion"] = "operators.coreos.com/v1alpha1",
                    ["kind"] = "Subscription",
                    ["metadata"] = metadata,
                    ["spec"] = spec,
                };
            }
        }
    }

    public static IEnumerable<JsonObject> Projects(PatternValues values, string argoNamespace) =>
        values.ClusterGroup.Projects.Select(p => Project(p, argoNamespace));

    public static JsonObject Project(string name, string argoNamespace) => new()
    {
        ["apiVersion"] = "argoproj.io/v1alpha1",
        ["kind"] = "AppProject",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = argoNamespace },
        ["spec"] = new JsonObject
        {
            ["description"] = $"Pattern {name}",
            ["destinations"] = new JsonArray(new JsonObject { ["namespace"] = "*", ["server"] = "*" }),
            ["clusterResourceWhitelist"] = new JsonArray(new JsonObject { ["group"] = "*", ["kind"] = "*" }),
            ["namespaceResourceWhitelist"] = new JsonArray(new JsonObject { ["group"] = "*", ["kind"] = "*" }),
            ["sourceRepos"] = new JsonArray("*"),
        },
    };
}
