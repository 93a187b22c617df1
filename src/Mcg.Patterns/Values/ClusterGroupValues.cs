using System.Text.Json.Nodes;

namespace Mcg.Patterns.Values;

/// <summary>Which generation of the validated-patterns format a cluster group is written in.</summary>
public enum FormatGeneration
{
    /// <summary>Until 2024: a <c>common/</c> subtree, <c>projects</c>, <c>isHubCluster</c>.</summary>
    Legacy,

    /// <summary>Since multicloud-gitops#409: charts by <c>chart</c> + <c>chartVersion</c>, <c>argoProjects</c>, hub detected by domain.</summary>
    Current,
}

/// <summary>
/// The <c>clusterGroup</c> section of the layered values (<c>values-global.yaml</c> + <c>values-&lt;group&gt;.yaml</c> + …),
/// read as the clustergroup chart reads it (<c>clustergroup-chart/values.schema.json</c>): map and list forms,
/// <c>disabled: true</c> entries dropped, both format generations.
/// </summary>
public sealed record ClusterGroupValues(
    string Name,
    bool? IsHubCluster,
    string TargetCluster,
    IReadOnlyList<NamespaceEntry> Namespaces,
    IReadOnlyList<SubscriptionEntry> Subscriptions,
    IReadOnlyList<string> Projects,
    IReadOnlyList<ApplicationEntry> Applications,
    IReadOnlyList<ManagedClusterGroupEntry> ManagedClusterGroups,
    IReadOnlyList<string> SharedValueFiles,
    ImperativeValues Imperative,
    FormatGeneration Generation)
{
    public static ClusterGroupValues Read(ValuesDocument doc)
    {
        var group = ValuesNode.Root(doc)["clusterGroup"];
        if (group.IsNull)
        {
            throw ValuesNode.Root(doc).Error("clusterGroup is required");
        }
        group.Map();
        var applications = ReadApplications(group["applications"]);
        var projectsNode = group["projects"].IsNull ? group["argoProjects"] : group["projects"];
        var legacy = !group["projects"].IsNull || !group["isHubCluster"].IsNull
            || applications.Any(a => a.Path?.StartsWith("common/", StringComparison.Ordinal) == true);
        return new ClusterGroupValues(
            group["name"].RequiredString(),
            group["isHubCluster"].Bool(),
            group["targetCluster"].String() ?? "in-cluster",
            ReadNamespaces(group["namespaces"]),
            ReadSubscriptions(group["subscriptions"]),
            ReadProjects(projectsNode),
            applications,
            ReadManagedClusterGroups(group["managedClusterGroups"]),
            group["sharedValueFiles"].Strings(),
            ImperativeValues.Read(group["imperative"]),
            legacy ? FormatGeneration.Legacy : FormatGeneration.Current);
    }

    private static bool Disabled(ValuesNode entry) => entry.IsMap && entry["disabled"].Bool() == true;

    private static IReadOnlyList<NamespaceEntry> ReadNamespaces(ValuesNode node)
    {
        var result = new List<NamespaceEntry>();
        foreach (var (key, entry) in node.MapOrList())
        {
            if (key is not null)
            {
                // map form: name → null or options
                AddNamespace(result, key, entry);
                continue;
            }
            switch (entry.Node)
            {
                case null:
                    continue; // the chart skips null list items
                case JsonValue:
                    result.Add(new NamespaceEntry(entry.RequiredString(), Empty, Empty, false, null, null));
                    break;
                case JsonObject o:
                    foreach (var (name, _) in o)
                    {
                        AddNamespace(result, name, entry[name]);
                    }
                    break;
                default:
                    throw entry.Error("must be a namespace name or a map of name to options");
            }
        }
        return result;
    }

    private static void AddNamespace(List<NamespaceEntry> result, string name, ValuesNode options)
    {
        if (options.IsNull)
        {
            result.Add(new NamespaceEntry(name, Empty, Empty, false, null, null));
            return;
        }
        options.Map();
        if (Disabled(options))
        {
            return;
        }
        result.Add(new NamespaceEntry(name, StringMap(options["labels"]), StringMap(options["annotations"]), true,
            options["operatorGroup"].Bool(), options["targetNamespaces"].IsNull && !HasKey(options, "targetNamespaces") ? null : options["targetNamespaces"].Strings()));
    }

    private static IReadOnlyList<SubscriptionEntry> ReadSubscriptions(ValuesNode node)
    {
        var result = new List<SubscriptionEntry>();
        foreach (var (_, entry) in node.MapOrList())
        {
            if (entry.IsNull)
            {
                continue;
            }
            entry.Map();
            if (Disabled(entry))
            {
                continue;
            }
            var namespaces = entry["namespaces"].Strings();
            result.Add(new SubscriptionEntry(
                entry["name"].RequiredString(),
                namespaces.Count > 0 ? namespaces : [entry["namespace"].String() ?? "openshift-operators"],
                entry["source"].String() ?? "redhat-operators",
                entry["sourceNamespace"].String() ?? "openshift-marketplace",
                entry["channel"].String(),
                entry["csv"].String(),
                entry["installPlanApproval"].String(),
                entry["config"].Map()?.DeepClone() as JsonObject,
                StringMap(entry["annotations"])));
        }
        return result;
    }

    private static IReadOnlyList<string> ReadProjects(ValuesNode node) => node.Node switch
    {
        null => [],
        JsonObject o => o.Select(p => p.Key).ToList(), // map form: the keys name the projects
        _ => node.Strings(),
    };

    private static IReadOnlyList<ApplicationEntry> ReadApplications(ValuesNode node)
    {
        var result = new List<ApplicationEntry>();
        foreach (var (key, entry) in node.MapOrList())
        {
            if (entry.IsNull)
            {
                continue; // null applications are skipped by the chart
            }
            entry.Map();
            if (Disabled(entry))
            {
                continue;
            }
            var name = entry["name"].RequiredString();
            var path = entry["path"].String();
            var chart = entry["chart"].String();
            var plugin = entry["plugin"].Map();
            if (string.IsNullOrEmpty(path) && string.IsNullOrEmpty(chart) && plugin is null)
            {
                throw entry.Error("needs a source: path or chart");
            }
            result.Add(new ApplicationEntry(
                key ?? name,
                name,
                entry["namespace"].String(),
                entry["argoProject"].String() is { Length: > 0 } ap ? ap : entry["project"].String() is { Length: > 0 } p ? p : "default",
                path,
                chart,
                entry["chartVersion"].String(),
                entry["repoURL"].String(),
                entry["targetRevision"].String(),
                ReadOverrides(entry["overrides"]),
                entry["extraValueFiles"].Strings(),
                ListOrNull(entry["fileParameters"]),
                ListOrNull(entry["ignoreDifferences"]),
                ReadSyncPolicy(entry["syncPolicy"]),
                StringMap(entry["annotations"]),
                entry["kustomize"].Raw(),
                plugin?.DeepClone() as JsonObject,
                entry.Path));
        }
        var duplicate = result.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw node.Error($"two applications are named \"{duplicate.Key}\" ({string.Join(", ", duplicate.Select(a => a.Field))})");
        }
        return result;
    }

    private static JsonNode? ReadSyncPolicy(ValuesNode node)
    {
        if (node.Node is JsonValue && node.String() is { } text && !GlobalValues.IsSyncPolicyWord(text))
        {
            throw node.Error($"must be Automatic, Manual or an Argo CD syncPolicy object, not \"{text}\"");
        }
        if (node.IsList)
        {
            throw node.Error("must be Automatic, Manual or an Argo CD syncPolicy object, not a list");
        }
        return node.Raw();
    }

    private static IReadOnlyList<HelmOverride> ReadOverrides(ValuesNode node) =>
        node.Items().Select(o =>
        {
            o.Map();
            return new HelmOverride(o["name"].RequiredString(), o["value"].String() ?? "", o["forceString"].Bool() ?? false);
        }).ToList();

    private static IReadOnlyList<ManagedClusterGroupEntry> ReadManagedClusterGroups(ValuesNode node)
    {
        var result = new List<ManagedClusterGroupEntry>();
        foreach (var (key, entry) in node.MapOrList())
        {
            if (entry.IsNull)
            {
                continue;
            }
            entry.Map();
            if (Disabled(entry))
            {
                continue;
            }
            var name = entry["name"].RequiredString();
            var labels = entry["acmlabels"].Items().Select(l =>
            {
                l.Map();
                return KeyValuePair.Create(l["name"].RequiredString(), l["value"].String() ?? "");
            }).ToList();
            result.Add(new ManagedClusterGroupEntry(key ?? name, name, entry["targetRevision"].String(), labels,
                entry["clusterSelector"].Map()?.DeepClone() as JsonObject, ReadOverrides(entry["helmOverrides"]),
                entry["clusterPools"].Map()?.DeepClone() as JsonObject, entry["clusterDeployments"].Map()?.DeepClone() as JsonObject, entry.Path));
        }
        return result;
    }

    private static JsonArray? ListOrNull(ValuesNode node)
    {
        if (node.IsNull)
        {
            return null;
        }
        return node.IsList ? (JsonArray)node.Raw()! : throw node.Error("must be a list");
    }

    private static bool HasKey(ValuesNode node, string key) => (node.Node as JsonObject)?.ContainsKey(key) == true;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static IReadOnlyDictionary<string, string> StringMap(ValuesNode node)
    {
        var map = node.Map();
        if (map is null)
        {
            return Empty;
        }
        return map.ToDictionary(kv => kv.Key, kv => node[kv.Key].String() ?? "", StringComparer.Ordinal);
    }
}
