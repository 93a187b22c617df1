using System.Text.Json.Nodes;

namespace Mcg.Kube.Objects;

/// <summary>Accessors for the common fields of an unstructured Kubernetes object held as a <see cref="JsonObject"/>.</summary>
public static class KubeObject
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            return m;
        }
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    public static string? GetString(this JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string? ApiVersion(this JsonObject obj) => obj.GetString("apiVersion");
    public static string? Kind(this JsonObject obj) => obj.GetString("kind");
    public static string? Name(this JsonObject obj) => (obj["metadata"] as JsonObject)?.GetString("name");
    public static string? Namespace(this JsonObject obj) => (obj["metadata"] as JsonObject)?.GetString("namespace");
    public static string? ResourceVersion(this JsonObject obj) => (obj["metadata"] as JsonObject)?.GetString("resourceVersion");
    public static string? Uid(this JsonObject obj) => (obj["metadata"] as JsonObject)?.GetString("uid");

    public static GroupVersionKind Gvk(this JsonObject obj) =>
        GroupVersionKind.FromApiVersion(obj.ApiVersion() ?? "", obj.Kind() ?? "");

    /// <summary>The labels as a dictionary (empty when absent).</summary>
    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) => StringMap(obj, "labels");

    public static IReadOnlyDictionary<string, string> Annotations(this JsonObject obj) => StringMap(obj, "annotations");

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        (obj["metadata"] as JsonObject)?["finalizers"] is JsonArray a
            ? a.Select(n => n?.GetValue<string>() ?? "").ToList()
            : [];

    private static Dictionary<string, string> StringMap(JsonObject obj, string field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if ((obj["metadata"] as JsonObject)?[field] is JsonObject map)
        {
            foreach (var (k, v) in map)
            {
                result[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
            }
        }
        return result;
    }
}
