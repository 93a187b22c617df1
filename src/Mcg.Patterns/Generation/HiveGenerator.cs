using System.Text.Json.Nodes;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>
/// Cluster provisioning of a managed cluster group, as the acm chart renders it (<c>validatedpatterns/acm-chart
/// templates/provision/*</c>, checked against its tests/clusterpool_test.yaml and tests/clusterdeployment_test.yaml):
/// <c>clusterPools</c> → a Hive ClusterPool <c>&lt;pool&gt;-&lt;group&gt;</c> (size/runningCount = clusters listed) and a
/// ClusterClaim <c>&lt;cluster&gt;-&lt;group&gt;</c> per listed cluster; <c>clusterDeployments</c> → a Namespace, a
/// ClusterDeployment and a ManagedCluster <c>&lt;name&gt;-&lt;group&gt;</c>; plus the group's ManagedClusterSet and its
/// binding in <c>open-cluster-management</c> so the group's Placement sees those clusters.
/// </summary>
public static class HiveGenerator
{
    public const string ClusterSetLabel = "cluster.open-cluster-management.io/clusterset";

    public static IEnumerable<JsonObject> Generate(ManagedClusterGroupEntry group)
    {
        if (group.ClusterPools is null && group.ClusterDeployments is null)
        {
            yield break;
        }
        yield return new JsonObject
        {
            ["apiVersion"] = "cluster.open-cluster-management.io/v1beta2",
            ["kind"] = "ManagedClusterSet",
            ["metadata"] = new JsonObject { ["name"] = group.Name },
            ["spec"] = new JsonObject { ["clusterSelector"] = new JsonObject { ["selectorType"] = "ExclusiveClusterSetLabel" } },
        };
        yield return new JsonObject
        {
            ["apiVersion"] = "cluster.open-cluster-management.io/v1beta2",
            ["kind"] = "ManagedClusterSetBinding",
            ["metadata"] = new JsonObject { ["name"] = group.Name, ["namespace"] = PlacementGenerator.Namespace },
            ["spec"] = new JsonObject { ["clusterSet"] = group.Name },
        };
        foreach (var (_, node) in group.ClusterPools ?? [])
        {
            var pool = node as JsonObject ?? throw new ArgumentException($"{group.Field}.clusterPools: every pool must be a map");
            foreach (var o in Pool(group, pool))
            {
                yield return o;
            }
        }
        foreach (var (_, node) in group.ClusterDeployments ?? [])
        {
            var deployment = node as JsonObject ?? throw new ArgumentException($"{group.Field}.clusterDeployments: every deployment must be a map");
            foreach (var o in Deployment(group, deployment))
            {
                yield return o;
            }
        }
    }

    private static IEnumerable<JsonObject> Pool(ManagedClusterGroupEntry group, JsonObject pool)
    {
        var name = $"{Required(pool, "name", group)}-{group.Name}";
        var clusters = (pool["clusters"] as JsonArray)?.Select(c => c?.ToString() ?? "").Where(c => c.Length > 0).ToList() ?? [];
        var (platformKey, platform) = Platform(pool, name, group);
        yield return new JsonObject
        {
            ["apiVersion"] = "hive.openshift.io/v1",
            ["kind"] = "ClusterPool",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = PlacementGenerator.Namespace,
                ["annotations"] = new JsonObject { ["argocd.argoproj.io/sync-wave"] = "10" },
                ["labels"] = new JsonObject { ["cloud"] = platformKey, [ClusterSetLabel] = group.Name },
            },
            ["spec"] = new JsonObject
            {
                ["size"] = pool["size"]?.DeepClone() ?? (long)clusters.Count,
                ["runningCount"] = (long)clusters.Count,
                ["baseDomain"] = pool["baseDomain"]?.DeepClone(),
                ["installConfigSecretTemplateRef"] = new JsonObject { ["name"] = $"{name}-install-config" },
                ["imageSetRef"] = new JsonObject { ["name"] = ImageSet(pool) },
                ["pullSecretRef"] = new JsonObject { ["name"] = $"{name}-pull-secret" },
                ["skipMachinePools"] = true,
                ["platform"] = new JsonObject { [platformKey] = platform },
            },
        };
        foreach (var cluster in clusters)
        {
            yield return new JsonObject
            {
                ["apiVersion"] = "hive.openshift.io/v1",
                ["kind"] = "ClusterClaim",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{cluster.ToLowerInvariant()}-{group.Name}",
                    ["namespace"] = PlacementGenerator.Namespace,
                    ["annotations"] = new JsonObject { ["argocd.argoproj.io/sync-wave"] = "20" },
                    ["labels"] = Labels(group),
                },
                ["spec"] = new JsonObject { ["clusterPoolName"] = name },
            };
        }
    }

    private static IEnumerable<JsonObject> Deployment(ManagedClusterGroupEntry group, JsonObject deployment)
    {
        var name = $"{Required(deployment, "name", group)}-{group.Name}";
        var (platformKey, platform) = Platform(deployment, name, group);
        yield return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
        yield return new JsonObject
        {
            ["apiVersion"] = "hive.openshift.io/v1",
            ["kind"] = "ClusterDeployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = name, ["labels"] = new JsonObject { ["cloud"] = platformKey, ["vendor"] = "OpenShift" } },
            ["spec"] = new JsonObject
            {
                ["baseDomain"] = deployment["baseDomain"]?.DeepClone(),
                ["clusterName"] = name,
                ["installAttemptsLimit"] = 1,
                ["platform"] = new JsonObject { [platformKey] = platform },
                ["provisioning"] = new JsonObject
                {
                    ["installConfigSecretRef"] = new JsonObject { ["name"] = $"{name}-install-config" },
                    ["sshPrivateKeySecretRef"] = new JsonObject { ["name"] = $"{name}-ssh-private-key" },
                    ["imageSetRef"] = new JsonObject { ["name"] = ImageSet(deployment) },
                },
                ["pullSecretRef"] = new JsonObject { ["name"] = $"{name}-pull-secret" },
            },
        };
        var labels = Labels(group);
        labels["cloud"] = PlatformLabel(platformKey);
        labels["vendor"] = "OpenShift";
        yield return new JsonObject
        {
            ["apiVersion"] = "cluster.open-cluster-management.io/v1",
            ["kind"] = "ManagedCluster",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject { ["hubAcceptsClient"] = true },
        };
    }

    /// <summary>The acmlabels (default <c>clusterGroup=&lt;name&gt;</c>) and the group's cluster set.</summary>
    private static JsonObject Labels(ManagedClusterGroupEntry group)
    {
        var labels = new JsonObject();
        foreach (var (k, v) in group.AcmLabels.Count > 0 ? group.AcmLabels : [KeyValuePair.Create("clusterGroup", group.Name)])
        {
            labels[k] = v;
        }
        labels[ClusterSetLabel] = group.Name;
        return labels;
    }

    /// <summary>The platform map with the credentials secret reference the chart adds (<c>&lt;name&gt;-creds</c>).</summary>
    private static (string Key, JsonObject Platform) Platform(JsonObject spec, string name, ManagedClusterGroupEntry group)
    {
        if (spec["platform"] is not JsonObject { Count: 1 } platforms || platforms.First().Value is not JsonObject settings)
        {
            throw new ArgumentException($"{group.Field}: {name}: platform must name exactly one platform (aws, azure, gcp, …) with its settings");
        }
        var key = platforms.First().Key;
        var platform = (JsonObject)settings.DeepClone();
        platform["credentialsSecretRef"] = new JsonObject { ["name"] = $"{name}-creds" };
        return (key, platform);
    }

    /// <summary>ACM's <c>cloud</c> label value for a Hive platform key.</summary>
    public static string PlatformLabel(string platformKey) => platformKey switch
    {
        "aws" => "Amazon",
        "azure" => "Azure",
        "gcp" => "Google",
        "vsphere" => "VSphere",
        "ibmcloud" => "IBM",
        _ => platformKey,
    };

    private static string ImageSet(JsonObject spec) => $"img{spec["openshiftVersion"]}-multi-appsub";

    private static string Required(JsonObject spec, string key, ManagedClusterGroupEntry group) =>
        spec[key]?.ToString() is { Length: > 0 } v ? v : throw new ArgumentException($"{group.Field}: a cluster pool or deployment needs a {key}");
}
