using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>Typed reads of an unstructured spec that fail with the object and the field path in the message.</summary>
internal sealed class SpecReader(string objectName)
{
    public string ObjectName { get; } = objectName;

    public string? String(JsonNode? parent, string field, string path)
    {
        var node = parent?[field];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }
        throw Error($"{path}.{field}", "must be a string");
    }

    public string Required(JsonNode? parent, string field, string path) =>
        String(parent, field, path) is { Length: > 0 } s ? s : throw Error($"{path}.{field}", "is required");

    public JsonObject? Object(JsonNode? parent, string field, string path) => parent?[field] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw Error($"{path}.{field}", "must be an object"),
    };

    public IReadOnlyList<JsonObject> Objects(JsonNode? parent, string field, string path) => parent?[field] switch
    {
        null => [],
        JsonArray a => a.Select((n, i) => n as JsonObject ?? throw Error($"{path}.{field}[{i}]", "must be an object")).ToList(),
        _ => throw Error($"{path}.{field}", "must be a list"),
    };

    public IReadOnlyList<string> Strings(JsonNode? parent, string field, string path) => parent?[field] switch
    {
        null => [],
        JsonArray a => a.Select((n, i) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Error($"{path}.{field}[{i}]", "must be a string")).ToList(),
        _ => throw Error($"{path}.{field}", "must be a list of strings"),
    };

    public IReadOnlyDictionary<string, string> StringMap(JsonNode? parent, string field, string path)
    {
        var map = Object(parent, field, path);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map ?? [])
        {
            result[k] = v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : throw Error($"{path}.{field}.{k}", "must be a string");
        }
        return result;
    }

    public long? Long(JsonNode? parent, string field, string path) => parent?[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<long>(),
        _ => throw Error($"{path}.{field}", "must be an integer"),
    };

    public EsoSpecException Error(string path, string problem) => new($"{ObjectName}: {path} {problem}");
}
