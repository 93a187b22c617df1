using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Patterns.Values;

/// <summary>A position in a <see cref="ValuesDocument"/>: typed reads whose errors name the file, line and field.</summary>
public readonly record struct ValuesNode(ValuesDocument Document, string Path, JsonNode? Node)
{
    public static ValuesNode Root(ValuesDocument doc) => new(doc, "", doc.Root);

    public bool IsNull => Node is null;
    public bool IsMap => Node is JsonObject;
    public bool IsList => Node is JsonArray;

    public ValuesNode this[string key] => new(Document, ValuesDocument.Child(Path, key), (Node as JsonObject)?[key]);

    public ValuesException Error(string problem) => Document.Error(Path, problem);

    /// <summary>The field as a map (null when absent); anything else is an error.</summary>
    public JsonObject? Map() => Node switch
    {
        null => null,
        JsonObject o => o,
        _ => throw Error($"must be a map, not {Describe(Node)}"),
    };

    /// <summary>A scalar as text (numbers and booleans as YAML writes them); null when absent.</summary>
    public string? String()
    {
        if (Node is null)
        {
            return null;
        }
        if (Node is not JsonValue v)
        {
            throw Error($"must be a string, not {Describe(Node)}");
        }
        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
            JsonValueKind.Number => v.GetValue<double>().ToString(CultureInfo.InvariantCulture),
            _ => v.ToJsonString(),
        };
    }

    public string RequiredString()
    {
        var s = String();
        return string.IsNullOrEmpty(s) ? throw Error("is required") : s;
    }

    /// <summary>A boolean (YAML true/false, or the strings "true"/"false" as Helm --set writes them); null when absent.</summary>
    public bool? Bool()
    {
        if (Node is null)
        {
            return null;
        }
        if (Node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.String when bool.TryParse(v.GetValue<string>(), out var b):
                    return b;
            }
        }
        throw Error($"must be true or false, not {Describe(Node)}");
    }

    public long? Integer()
    {
        if (Node is null)
        {
            return null;
        }
        if (Node is JsonValue v && v.TryGetValue<long>(out var l))
        {
            return l;
        }
        if (Node is JsonValue s && s.GetValueKind() == JsonValueKind.String && long.TryParse(s.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }
        throw Error($"must be an integer, not {Describe(Node)}");
    }

    /// <summary>A list of strings; absent is empty.</summary>
    public IReadOnlyList<string> Strings()
    {
        if (Node is null)
        {
            return [];
        }
        if (Node is not JsonArray)
        {
            throw Error($"must be a list of strings, not {Describe(Node)}");
        }
        return Items().Select(i => i.RequiredString()).ToList();
    }

    /// <summary>The elements of a list (absent: none).</summary>
    public IEnumerable<ValuesNode> Items()
    {
        if (Node is null)
        {
            yield break;
        }
        if (Node is not JsonArray a)
        {
            throw Error($"must be a list, not {Describe(Node)}");
        }
        for (var i = 0; i < a.Count; i++)
        {
            yield return new ValuesNode(Document, ValuesDocument.Item(Path, i), a[i]);
        }
    }

    /// <summary>
    /// The entries of a field the clustergroup chart accepts as a map (<c>key: {...}</c>) or a list (<c>- {...}</c>):
    /// the map key (null in list form) and the entry.
    /// </summary>
    public IEnumerable<(string? Key, ValuesNode Entry)> MapOrList()
    {
        switch (Node)
        {
            case null:
                yield break;
            case JsonObject o:
                foreach (var (k, _) in o)
                {
                    yield return (k, this[k]);
                }
                break;
            case JsonArray:
                foreach (var item in Items())
                {
                    yield return (null, item);
                }
                break;
            default:
                throw Error($"must be a map or a list, not {Describe(Node)}");
        }
    }

    /// <summary>A deep copy of the raw value (for pass-through fields such as ignoreDifferences).</summary>
    public JsonNode? Raw() => Node?.DeepClone();

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a map",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{v.GetValue<string>()}\"",
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            _ => $"the value {v.ToJsonString()}",
        },
        _ => node.ToJsonString(),
    };
}
