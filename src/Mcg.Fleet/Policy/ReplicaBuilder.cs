using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Builds the replicated policy of a root policy for one cluster: named <c>&lt;root-namespace&gt;.&lt;root-name&gt;</c> in the
/// cluster namespace, with the root's labels and annotations plus the framework's root-policy/cluster labels, and the
/// root's spec (its remediationAction, when set, written into the templates).
/// </summary>
internal static class ReplicaBuilder
{
    public static JsonObject Build(JsonObject root, ClusterDecision decision)
    {
        var name = PolicyLabels.ReplicaName(root.Namespace()!, root.Name()!);
        var labels = new JsonObject();
        foreach (var (k, v) in root.Labels())
        {
            labels[k] = v;
        }
        labels[PolicyLabels.ClusterName] = decision.ClusterName;
        labels[PolicyLabels.ClusterNamespace] = decision.ClusterNamespace;
        labels[PolicyLabels.RootPolicy] = name;
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = decision.ClusterNamespace,
            ["labels"] = labels,
        };
        var annotations = root.Annotations().Where(a => a.Key != PolicyLabels.TriggerUpdate).ToList();
        if (annotations.Count > 0)
        {
            metadata["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        }
        var spec = root["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        RemediationOverride.Apply(spec);
        return new JsonObject
        {
            ["apiVersion"] = OcmCrds.Policies.ApiVersion,
            ["kind"] = OcmCrds.Policies.Kind,
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>Whether an existing replica already has the desired labels, annotations and spec.</summary>
    public static bool Equivalent(JsonObject desired, JsonObject existing) =>
        SameMap(desired.Labels(), existing.Labels())
        && SameMap(desired.Annotations(), existing.Annotations())
        && JsonNode.DeepEquals(desired["spec"], existing["spec"]);

    /// <summary>The existing replica with the desired labels, annotations and spec (keeping its resourceVersion for a compare-and-swap).</summary>
    public static JsonObject Updated(JsonObject desired, JsonObject existing)
    {
        var updated = (JsonObject)existing.DeepClone();
        updated.Remove("status");
        var metadata = updated.Metadata();
        metadata["labels"] = desired["metadata"]!["labels"]!.DeepClone();
        if (desired["metadata"]!["annotations"] is JsonNode annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }
        else
        {
            metadata.Remove("annotations");
        }
        updated["spec"] = desired["spec"]!.DeepClone();
        return updated;
    }

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
