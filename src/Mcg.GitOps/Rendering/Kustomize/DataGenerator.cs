using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>configMapGenerator and secretGenerator: builds the objects; their hash suffix is added at the end of the build.</summary>
internal static class DataGenerator
{
    public static Resource Generate(GeneratorEntry g, GeneratorOptions? global, FileLoader loader, string directory, string file)
    {
        var metadata = new JsonObject { ["name"] = g.Name };
        if (!string.IsNullOrEmpty(g.Namespace))
        {
            metadata["namespace"] = g.Namespace;
        }
        var obj = new JsonObject { ["apiVersion"] = "v1", ["kind"] = g.Kind, ["metadata"] = metadata };
        var data = new JsonObject();
        var binary = new JsonObject();
        foreach (var (key, value) in KeyValueSources.Load(g, loader, directory, file))
        {
            if (g.Kind == "Secret")
            {
                data[key] = Convert.ToBase64String(value);
            }
            else if (KeyValueSources.DecodeUtf8(value) is { } text)
            {
                data[key] = text;
            }
            else
            {
                binary[key] = Convert.ToBase64String(value);
            }
        }
        if (data.Count > 0)
        {
            obj["data"] = data;
        }
        if (binary.Count > 0)
        {
            obj["binaryData"] = binary;
        }
        if (g.Kind == "Secret")
        {
            obj["type"] = string.IsNullOrEmpty(g.Type) ? "Opaque" : g.Type;
        }
        // Global generatorOptions override the generator's own, as kustomize's MergeGlobalOptionsIntoLocal does.
        var labels = Merge(g.Options?.Labels, global?.Labels);
        var annotations = Merge(g.Options?.Annotations, global?.Annotations);
        if (labels.Count > 0)
        {
            metadata["labels"] = labels;
        }
        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }
        if (g.Options?.Immutable == true || global?.Immutable == true)
        {
            obj["immutable"] = true;
        }
        return new Resource(obj)
        {
            NeedsHash = !(g.Options?.DisableNameSuffixHash == true || global?.DisableNameSuffixHash == true),
            Behavior = g.Behavior,
        };
    }

    private static JsonObject Merge(IReadOnlyList<KeyValuePair<string, string>>? local, IReadOnlyList<KeyValuePair<string, string>>? global)
    {
        var result = new JsonObject();
        foreach (var (k, v) in (local ?? []).Concat(global ?? []))
        {
            result[k] = v;
        }
        return result;
    }
}
