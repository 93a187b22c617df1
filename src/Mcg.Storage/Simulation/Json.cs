using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.Storage.Simulation;

/// <summary>Lenient path readers over unstructured objects: absent or mistyped fields read as Go's zero values.</summary>
internal static class Json
{
    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is JsonObject o ? o[key] : null;
        }
        return node;
    }

    public static string Str(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    public static long Int(this JsonNode? node, params string[] path) => node.OptionalInt(path) ?? 0;

    public static long? OptionalInt(this JsonNode? node, params string[] path) => node.At(path) switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    public static bool Bool(this JsonNode? node, params string[] path) => node.At(path) switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s == "true",
        _ => false,
    };

    public static JsonObject? Obj(this JsonNode? node, params string[] path) => node.At(path) as JsonObject;

    public static IEnumerable<JsonObject> Items(this JsonNode? node, params string[] path) =>
        (node.At(path) as JsonArray)?.OfType<JsonObject>() ?? [];

    /// <summary>The child object at <paramref name="key"/>, created (and attached) when absent.</summary>
    public static JsonObject Child(this JsonObject parent, string key)
    {
        if (parent[key] is JsonObject child)
        {
            return child;
        }
        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>The child array at <paramref name="key"/>, created (and attached) when absent.</summary>
    public static JsonArray ChildArray(this JsonObject parent, string key)
    {
        if (parent[key] is JsonArray child)
        {
            return child;
        }
        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    public static T Clone<T>(this T node) where T : JsonNode => (T)node.DeepClone();

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(this JsonNode? node, params string[] path) =>
        DateTimeOffset.TryParse(node.Str(path), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static bool IsDeleting(this JsonObject obj) => obj.At("metadata", "deletionTimestamp") is not null;

    /// <summary>The uid of the controlling owner (ownerReferences entry with controller: true), or null.</summary>
    public static string? ControllerUid(this JsonObject obj) =>
        obj.Items("metadata", "ownerReferences").FirstOrDefault(r => r.Bool("controller"))?.Str("uid");

    public static JsonObject? ControllerRef(this JsonObject obj) =>
        obj.Items("metadata", "ownerReferences").FirstOrDefault(r => r.Bool("controller"));

    /// <summary>An ownerReferences entry making <paramref name="owner"/> the controller of a dependent.</summary>
    public static JsonObject OwnerReference(JsonObject owner) => new()
    {
        ["apiVersion"] = owner.Str("apiVersion"),
        ["kind"] = owner.Str("kind"),
        ["name"] = owner.Str("metadata", "name"),
        ["uid"] = owner.Str("metadata", "uid"),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };
}
