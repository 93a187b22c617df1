using System.Text.Json.Nodes;
using Mcg.GitOps.Delivery;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Selectors;

namespace Mcg.GitOps.ApplicationSets;

/// <summary>One generator's output: parameter sets, and when to look again (null: on events only).</summary>
public sealed record GeneratedParameters(IReadOnlyList<JsonObject> Sets, TimeSpan? RequeueAfter);

/// <summary>The ApplicationSet generators: <c>list</c>, <c>clusters</c> and <c>clusterDecisionResource</c>, as upstream.</summary>
public sealed class ParameterGenerators(IKubeClient client, ClusterSecrets clusters)
{
    /// <summary>Upstream's default requeue for the clusterDecisionResource generator.</summary>
    public static readonly TimeSpan DefaultRequeue = TimeSpan.FromMinutes(3);

    public async Task<GeneratedParameters> GenerateAsync(JsonObject generator, string appSetNamespace, int index, CancellationToken ct)
    {
        if (generator["list"] is JsonObject list)
        {
            return new GeneratedParameters(List(list, index), null);
        }
        if (generator["clusters"] is JsonObject cluster)
        {
            return new GeneratedParameters(Clusters(cluster, index), null);
        }
        if (generator["clusterDecisionResource"] is JsonObject cdr)
        {
            return await ClusterDecisionResourceAsync(cdr, appSetNamespace, index, ct);
        }
        var kind = generator.Select(p => p.Key).FirstOrDefault(k => k != "selector" && k != "template") ?? "(empty)";
        throw new GeneratorException($"spec.generators[{index}]: generator \"{kind}\" is not supported (supported: list, clusters, clusterDecisionResource)");
    }

    private static List<JsonObject> List(JsonObject list, int index)
    {
        if (list["elementsYaml"] is not null)
        {
            throw new GeneratorException($"spec.generators[{index}].list.elementsYaml is not supported; use elements");
        }
        var sets = new List<JsonObject>();
        foreach (var (element, i) in (list["elements"] as JsonArray ?? []).Select((e, i) => (e, i)))
        {
            if (element is not JsonObject o)
            {
                throw new GeneratorException($"spec.generators[{index}].list.elements[{i}] must be an object");
            }
            sets.Add((JsonObject)o.DeepClone());
        }
        return sets;
    }

    /// <summary>One set per Argo CD cluster matching the selector; without a selector the local cluster is included.</summary>
    private List<JsonObject> Clusters(JsonObject generator, int index)
    {
        var selector = generator["selector"] as JsonObject;
        LabelSelector? match = null;
        if (selector is { Count: > 0 })
        {
            try
            {
                match = LabelSelector.FromObject(selector);
            }
            catch (FormatException e)
            {
                throw new GeneratorException($"spec.generators[{index}].clusters.selector: {e.Message}");
            }
        }
        var sets = new List<JsonObject>();
        foreach (var c in clusters.List())
        {
            if (match is not null && (c == ArgoCluster.InCluster || !match.Matches(c.Labels)))
            {
                continue;
            }
            var labels = new JsonObject();
            foreach (var (k, v) in c.Labels)
            {
                labels[k] = v;
            }
            var annotations = new JsonObject();
            foreach (var (k, v) in c.Annotations)
            {
                annotations[k] = v;
            }
            var set = new JsonObject
            {
                ["name"] = c.Name,
                ["nameNormalized"] = Normalize(c.Name),
                ["server"] = c.Server,
                ["metadata"] = new JsonObject { ["labels"] = labels, ["annotations"] = annotations },
            };
            AddValues(set, generator);
            sets.Add(set);
        }
        return sets;
    }

    /// <summary>
    /// The duck-typed generator: the ConfigMap names a resource (<c>apiVersion</c>, plural <c>kind</c>,
    /// <c>statusListKey</c>, <c>matchKey</c>); each entry of its status list whose match key names a known Argo CD
    /// cluster gives <c>name</c>, <c>server</c> and the entry's own keys (ACM's PlacementDecision: <c>clusterName</c>, <c>reason</c>).
    /// </summary>
    private async Task<GeneratedParameters> ClusterDecisionResourceAsync(JsonObject generator, string ns, int index, CancellationToken ct)
    {
        var at = $"spec.generators[{index}].clusterDecisionResource";
        var configMapName = generator.GetString("configMapRef") ?? throw new GeneratorException($"{at}.configMapRef is required");
        var configMap = await client.GetAsync(ResourceRef.ConfigMaps, ns, configMapName, ct)
            ?? throw new GeneratorException($"{at}.configMapRef: configmap \"{configMapName}\" not found in namespace {ns}");
        var data = configMap["data"] as JsonObject ?? [];
        var apiVersion = data.GetString("apiVersion") ?? "";
        var kind = data.GetString("kind") ?? "";
        var slash = apiVersion.IndexOf('/');
        if (kind.Length == 0 || slash < 1)
        {
            throw new GeneratorException($"configmap {configMapName}: there is a problem with the apiVersion (\"{apiVersion}\") or kind (\"{kind}\") provided");
        }
        var name = generator.GetString("name");
        var selector = generator["labelSelector"] as JsonObject;
        if (string.IsNullOrEmpty(name) == (selector is not { Count: > 0 }))
        {
            throw new GeneratorException($"{at}: choose either name or labelSelector");
        }
        var statusListKey = data.GetString("statusListKey") is { Length: > 0 } key ? key : "clusters";
        var matchKey = data.GetString("matchKey");
        var requeue = generator["requeueAfterSeconds"] is { } seconds ? TimeSpan.FromSeconds(seconds.GetValue<double>()) : DefaultRequeue;
        if (string.IsNullOrEmpty(matchKey))
        {
            throw new GeneratorException($"configmap {configMapName}: matchKey is required");
        }
        var resource = new ResourceRef(apiVersion[..slash], apiVersion[(slash + 1)..], kind, "", true);
        ListOptions options;
        try
        {
            options = !string.IsNullOrEmpty(name)
                ? new ListOptions { FieldSelector = $"metadata.name={name}" }
                : new ListOptions { LabelSelector = LabelSelector.FromObject(selector).ToString() };
        }
        catch (FormatException e)
        {
            throw new GeneratorException($"{at}.labelSelector: {e.Message}");
        }
        var items = (await client.ListAsync(resource, ns, options, ct)).Items;
        var known = clusters.List();
        var sets = new List<JsonObject>();
        foreach (var item in items)
        {
            foreach (var entry in (item["status"]?[statusListKey] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var value = entry.GetString(matchKey);
                if (string.IsNullOrEmpty(value) || known.FirstOrDefault(c => c.Name == value) is not { } cluster)
                {
                    continue; // upstream: "unmatched cluster in ArgoCD"
                }
                var set = new JsonObject { ["name"] = cluster.Name, ["server"] = cluster.Server };
                foreach (var (k, v) in entry)
                {
                    set[k] = v?.DeepClone();
                }
                AddValues(set, generator);
                sets.Add(set);
            }
        }
        return new GeneratedParameters(sets, requeue);
    }

    private static void AddValues(JsonObject set, JsonObject generator)
    {
        if (generator["values"] is JsonObject values)
        {
            set["values"] = values.DeepClone();
        }
    }

    /// <summary>As upstream's nameNormalized: a DNS-1123 friendly form of the cluster name.</summary>
    private static string Normalize(string name) =>
        new string(name.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '-').ToArray());
}

public sealed class GeneratorException(string message) : Exception(message);
