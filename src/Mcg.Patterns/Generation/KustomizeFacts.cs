using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Patterns.Generation;

/// <summary>
/// How the per-cluster <c>global.*</c> facts reach a Kustomize application. Helm applications get them as
/// <c>helm.parameters</c>; Kustomize has no values, so the generated Application carries an Argo CD
/// <c>spec.source.kustomize.patches</c> entry (Argo CD ≥ 2.9) that adds them to the data of every ConfigMap labelled
/// <c>validatedpatterns.io/global-values: "true"</c>. The application's own kustomization can then copy them where it
/// needs them with <c>replacements</c> (the sample's hello-world does), and the same repository works unchanged with
/// the real Argo CD. The keys are the Helm parameter names (<c>global.localClusterName</c>, …).
/// </summary>
public static class KustomizeFacts
{
    public static JsonObject Patch(ClusterFacts facts, string pattern)
    {
        var ops = new JsonArray();
        foreach (var (key, value) in facts.GlobalValues.Append(KeyValuePair.Create("pattern", pattern)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ops.Add(new JsonObject { ["op"] = "add", ["path"] = $"/data/global.{key}", ["value"] = value });
        }
        return new JsonObject
        {
            ["target"] = new JsonObject { ["kind"] = "ConfigMap", ["labelSelector"] = $"{PatternLabels.GlobalValuesSelector}=true" },
            ["patch"] = YamlJson.ToYaml(ops),
        };
    }

    /// <summary>The <c>spec.source.kustomize</c> block: the entry's own kustomize options (when a map) plus the facts patch.</summary>
    public static JsonObject Block(JsonNode? entryOptions, ClusterFacts facts, string pattern)
    {
        var block = entryOptions is JsonObject o ? (JsonObject)o.DeepClone() : new JsonObject();
        var patches = block["patches"] as JsonArray ?? new JsonArray();
        block["patches"] = patches;
        patches.Add(Patch(facts, pattern));
        return block;
    }
}
