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
                data[key] = Base64(value);
            }
            else if (KeyValueSources.DecodeUtf8(value) is { } text)
            {
                data[key] = text;
            }
            else
            {
                binary[key] = Base64(value);
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
        // A generator's own labels and annotations override the global generatorOptions ones.
        var labels = Merge(global?.Labels, g.Options?.Labels);
        var annotations = Merge(global?.Annotations, g.Options?.Annotations);
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

    /// <summary>Base64 as kyaml writes it: from 70 characters on, broken into 70-character lines, each ending in a newline.</summary>
    private static string Base64(byte[] value)
    {
        const int LineLength = 70;
        var encoded = Convert.ToBase64String(value);
        if (encoded.Length < LineLength)
        {
            return encoded;
        }
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < encoded.Length; i += LineLength)
        {
            sb.Append(encoded, i, Math.Min(LineLength, encoded.Length - i)).Append('\n');
        }
        return sb.ToString();
    }

    private static JsonObject Merge(IReadOnlyList<KeyValuePair<string, string>>? first, IReadOnlyList<KeyValuePair<string, string>>? second)
    {
        var result = new JsonObject();
        foreach (var (k, v) in (first ?? []).Concat(second ?? []))
        {
            result[k] = v;
        }
        return result;
    }
}
