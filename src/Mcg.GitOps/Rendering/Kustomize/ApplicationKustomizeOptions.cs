using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// An Application's <c>spec.source.kustomize</c> options, applied to the root kustomization as Argo CD applies them
/// (with <c>kustomize edit</c> before <c>kustomize build</c>): prefix, suffix, namespace, images, labels, annotations,
/// replicas, components and patches. Options Argo CD has but we do not implement are errors naming the field.
/// </summary>
internal static class ApplicationKustomizeOptions
{
    private const string Field = "spec.source.kustomize";

    private static readonly HashSet<string> Ignored = ["version"]; // a kustomize binary version: we have one renderer

    public static void Apply(JsonObject kustomization, JsonObject options)
    {
        foreach (var (key, value) in options)
        {
            if (value is null || Ignored.Contains(key))
            {
                continue;
            }
            switch (key)
            {
                case "namePrefix" or "nameSuffix" or "namespace":
                    kustomization[key] = value.GetValue<string>();
                    break;
                case "commonLabels" or "commonAnnotations":
                    var map = kustomization[key] as JsonObject ?? new JsonObject();
                    foreach (var (k, v) in Map(value, key))
                    {
                        map[k] = v;
                    }
                    kustomization[key] = map;
                    break;
                case "images":
                    kustomization["images"] = MergeImages(kustomization["images"] as JsonArray, Array(value, key).Select(i => Image(i?.GetValue<string>() ?? "")));
                    break;
                case "replicas":
                    kustomization["replicas"] = Append(kustomization["replicas"] as JsonArray, Array(value, key).Select(r => new JsonObject
                    {
                        ["name"] = r?["name"]?.GetValue<string>() ?? throw Error($"{key}[].name is required"),
                        ["count"] = Count(r["count"], key),
                    }));
                    break;
                case "components" or "patches":
                    kustomization[key] = Append(kustomization[key] as JsonArray, Array(value, key).Select(n => n!.DeepClone()));
                    break;
                default:
                    throw Error($"{key} is not supported");
            }
        }
    }

    /// <summary>Argo CD takes the count as a number or a string (<c>intstr</c>).</summary>
    private static long Count(JsonNode? count, string key) =>
        count?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? long.TryParse(count.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : throw Error($"{key}[].count \"{count}\" is not a number")
            : count is JsonValue v && v.TryGetValue<long>(out var l) ? l : count is JsonValue d && d.TryGetValue<double>(out var f) ? (long)f : throw Error($"{key}[].count is required");

    private static JsonObject Image(string spec)
    {
        // name=newName:tag, name:tag, name@digest or name=newName@digest (kustomize edit set image).
        var (name, target) = spec.Split('=', 2) is [var n, var t] ? (n, t) : (null, spec);
        var image = new JsonObject();
        var at = target.IndexOf('@', StringComparison.Ordinal);
        var colon = target.LastIndexOf(':');
        var slash = target.LastIndexOf('/');
        string newName = target;
        if (at >= 0)
        {
            image["digest"] = target[(at + 1)..];
            newName = target[..at];
        }
        else if (colon > slash)
        {
            image["newTag"] = target[(colon + 1)..];
            newName = target[..colon];
        }
        image["name"] = name ?? newName;
        if (name is not null && name != newName)
        {
            image["newName"] = newName;
        }
        return image;
    }

    private static JsonArray MergeImages(JsonArray? existing, IEnumerable<JsonObject> images)
    {
        var result = existing is null ? new JsonArray() : (JsonArray)existing.DeepClone();
        foreach (var image in images)
        {
            var same = result.OfType<JsonObject>().FirstOrDefault(i => i["name"]?.GetValue<string>() == image["name"]!.GetValue<string>());
            if (same is not null)
            {
                result.Remove(same);
            }
            result.Add(image);
        }
        return result;
    }

    private static JsonArray Append(JsonArray? existing, IEnumerable<JsonNode> items)
    {
        var result = existing is null ? new JsonArray() : (JsonArray)existing.DeepClone();
        foreach (var item in items)
        {
            result.Add(item);
        }
        return result;
    }

    private static JsonArray Array(JsonNode value, string key) => value as JsonArray ?? throw Error($"{key} must be a list");

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Map(JsonNode value, string key) =>
        (value as JsonObject ?? throw Error($"{key} must be a map")).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()));

    private static RenderException Error(string message) => new($"{Field}.{message}");
}
