using System.Text.Json.Nodes;
using Mcg.ApiServer.Resources;

namespace Mcg.ApiServer.Http;

/// <summary>Discovery documents: legacy (APIVersions, APIGroupList, APIResourceList) and aggregated (apidiscovery.k8s.io/v2).</summary>
public sealed class Discovery(ResourceRegistry registry)
{
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "31",
        ["gitVersion"] = "v1.31.0-mcg",
        ["gitCommit"] = "mcg",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.22",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public JsonObject LegacyApi(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var g in NamedGroups())
        {
            var versions = new JsonArray(g.Versions.Select(v => (JsonNode)GroupVersion(g.Name, v)).ToArray());
            groups.Add(new JsonObject
            {
                ["name"] = g.Name,
                ["versions"] = versions,
                ["preferredVersion"] = GroupVersion(g.Name, g.Versions[0]),
            });
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public JsonObject? ResourceList(string group, string version)
    {
        var resources = registry.All.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }
        var list = new JsonArray();
        foreach (var r in resources)
        {
            var item = new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = Array(r.Verbs),
            };
            if (r.ShortNames.Count > 0)
            {
                item["shortNames"] = Array(r.ShortNames);
            }
            if (r.Categories is { Count: > 0 })
            {
                item["categories"] = Array(r.Categories);
            }
            list.Add(item);
            foreach (var (sub, subGroup, subVersion, kind, verbs) in Subresources(r))
            {
                var entry = new JsonObject
                {
                    ["name"] = $"{r.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                };
                if (subVersion.Length > 0)
                {
                    // Another group-version's kind (Scale, TokenRequest): clients such as the scale client read these.
                    entry["group"] = subGroup;
                    entry["version"] = subVersion;
                }
                entry["kind"] = kind;
                entry["verbs"] = Array(verbs);
                list.Add(entry);
            }
        }
        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}", ["resources"] = list };
    }

    /// <summary>The aggregated form: <paramref name="core"/> for <c>/api</c>, else the named groups for <c>/apis</c>.</summary>
    public JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        var groups = core ? [("", (IReadOnlyList<string>)["v1"])] : NamedGroups().Select(g => (g.Name, g.Versions));
        foreach (var (name, versions) in groups)
        {
            var versionItems = new JsonArray();
            foreach (var v in versions)
            {
                var resources = new JsonArray();
                foreach (var r in registry.All.Where(r => r.Group == name && r.Version == v))
                {
                    var item = new JsonObject
                    {
                        ["resource"] = r.Plural,
                        ["responseKind"] = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind },
                        ["scope"] = r.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = r.Singular,
                        ["verbs"] = Array(r.Verbs),
                    };
                    if (r.ShortNames.Count > 0)
                    {
                        item["shortNames"] = Array(r.ShortNames);
                    }
                    if (r.Categories is { Count: > 0 })
                    {
                        item["categories"] = Array(r.Categories);
                    }
                    var subs = Subresources(r).Select(s => (JsonNode)new JsonObject
                    {
                        ["subresource"] = s.Name,
                        ["responseKind"] = new JsonObject { ["group"] = s.Version.Length > 0 ? s.Group : r.Group, ["version"] = s.Version.Length > 0 ? s.Version : r.Version, ["kind"] = s.Kind },
                        ["verbs"] = Array(s.Verbs),
                    }).ToArray();
                    if (subs.Length > 0)
                    {
                        item["subresources"] = new JsonArray(subs);
                    }
                    resources.Add(item);
                }
                versionItems.Add(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }
            var entry = new JsonObject { ["metadata"] = core ? new JsonObject() : new JsonObject { ["name"] = name }, ["versions"] = versionItems };
            items.Add(entry);
        }
        return new JsonObject { ["kind"] = "APIGroupDiscoveryList", ["apiVersion"] = "apidiscovery.k8s.io/v2", ["metadata"] = new JsonObject(), ["items"] = items };
    }

    private IEnumerable<(string Name, IReadOnlyList<string> Versions)> NamedGroups() =>
        registry.All.Where(r => r.Group.Length > 0)
            .GroupBy(r => r.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(r => r.Version).Distinct().OrderByDescending(VersionPriority).ToList()));

    /// <summary>A kind's subresources and what each answers with (group and version empty: the parent's).</summary>
    private static IEnumerable<(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs)> Subresources(ResourceType r)
    {
        if (r.HasStatus)
        {
            yield return ("status", "", "", r.Kind, ["get", "patch", "update"]);
        }
        if (r.Scale is not null)
        {
            yield return ("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]);
        }
        if (r.BuiltIn && r.Group.Length == 0 && r.Plural == "namespaces")
        {
            yield return ("finalize", "", "", r.Kind, ["update"]);
        }
        if (r.BuiltIn && r.Plural == "serviceaccounts")
        {
            yield return ("token", "authentication.k8s.io", "v1", "TokenRequest", ["create"]);
        }
    }

    /// <summary>Kubernetes version ordering: GA over beta over alpha, higher numbers first.</summary>
    private static int VersionPriority(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!m.Success)
        {
            return 0;
        }
        var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var stage = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return stage * 1_000_000 + major * 1000 + minor;
    }

    private static JsonObject GroupVersion(string group, string version) =>
        new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
