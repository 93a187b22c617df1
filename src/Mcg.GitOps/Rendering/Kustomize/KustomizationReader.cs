using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// Typed, strict access to the fields of a kustomization (or of one of its entries): like kustomize's decoder,
/// unknown fields and values of the wrong type are errors naming the file and field.
/// </summary>
internal sealed class KustomizationReader(JsonObject obj, string file, string where)
{
    public JsonObject Object { get; } = obj;
    public string File { get; } = file;

    public RenderException Error(string message) => new($"{where}: {message}", File);

    public void OnlyFields(IReadOnlySet<string> allowed, IReadOnlyDictionary<string, string>? unsupported = null)
    {
        foreach (var key in Object.Select(p => p.Key))
        {
            if (unsupported?.GetValueOrDefault(key) is { } why)
            {
                throw new RenderException($"field \"{Field(key)}\" is not supported: {why}", File);
            }
            if (!allowed.Contains(key))
            {
                throw new RenderException($"unknown field \"{Field(key)}\"", File);
            }
        }
    }

    public string Field(string key) => where.Length == 0 ? key : $"{where}.{key}";

    public string? String(string key) => Object[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a string, not {Describe(other)}", File),
    };

    public bool Bool(string key) => Object[key] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a boolean, not {Describe(other)}", File),
    };

    public int? Int(string key) => Object[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => (int)l,
        var other => throw new RenderException($"field \"{Field(key)}\" must be an integer, not {Describe(other)}", File),
    };

    public IReadOnlyList<string> Strings(string key) => Object[key] switch
    {
        null => [],
        JsonArray a => a.Select((n, i) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new RenderException($"field \"{Field(key)}[{i}]\" must be a string, not {Describe(n)}", File)).ToList(),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a list of strings, not {Describe(other)}", File),
    };

    /// <summary>A map of strings, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string key) => Object[key] switch
    {
        null => [],
        JsonObject m => m.Select(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? new KeyValuePair<string, string>(p.Key, v.GetValue<string>())
            : throw new RenderException($"field \"{Field(key)}.{p.Key}\" must be a string, not {Describe(p.Value)}", File)).ToList(),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a map of strings, not {Describe(other)}", File),
    };

    public KustomizationReader? Child(string key) => Object[key] switch
    {
        null => null,
        JsonObject o => new KustomizationReader(o, File, Field(key)),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a map, not {Describe(other)}", File),
    };

    public IReadOnlyList<KustomizationReader> Children(string key) => Object[key] switch
    {
        null => [],
        JsonArray a => a.Select((n, i) => n is JsonObject o
            ? new KustomizationReader(o, File, $"{Field(key)}[{i}]")
            : throw new RenderException($"field \"{Field(key)}[{i}]\" must be a map, not {Describe(n)}", File)).ToList(),
        var other => throw new RenderException($"field \"{Field(key)}\" must be a list, not {Describe(other)}", File),
    };

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a map",
        JsonArray => "a list",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
    };
}
