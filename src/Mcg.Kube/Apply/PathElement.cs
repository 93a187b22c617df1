using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

public enum PathElementKind
{
    /// <summary>A field of a map: <c>f:name</c>.</summary>
    Field,

    /// <summary>An item of a keyed list, selected by its key fields: <c>k:{"name":"app"}</c>.</summary>
    Key,

    /// <summary>An item of a set list, selected by its value: <c>v:"x"</c>.</summary>
    Value,
}

/// <summary>One step of a <see cref="FieldPath"/>. Immutable; equal elements serialise identically.</summary>
public sealed class PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private readonly (string Name, JsonNode? Value)[] keyFields;
    private readonly JsonNode? value;
    private readonly string serialized;

    private PathElement(PathElementKind kind, string? fieldName, (string, JsonNode?)[] keyFields, JsonNode? value, string serialized)
    {
        Kind = kind;
        FieldName = fieldName;
        this.keyFields = keyFields;
        this.value = value;
        this.serialized = serialized;
    }

    public PathElementKind Kind { get; }

    /// <summary>The field name of a <see cref="PathElementKind.Field"/> element.</summary>
    public string? FieldName { get; }

    /// <summary>The key field names of a <see cref="PathElementKind.Key"/> element, sorted.</summary>
    public IReadOnlyList<string> KeyNames => keyFields.Select(k => k.Name).ToArray();

    public static PathElement Field(string name) => new(PathElementKind.Field, name, [], null, "f:" + name);

    public static PathElement Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var sorted = fields.Select(f => (f.Key, f.Value?.DeepClone())).OrderBy(f => f.Key, StringComparer.Ordinal).ToArray();
        var json = string.Join(",", sorted.Select(f => JsonText.Quote(f.Key) + ":" + JsonText.Of(f.Item2)));
        return new(PathElementKind.Key, null, sorted, null, "k:{" + json + "}");
    }

    public static PathElement Key(string name, JsonNode? value) => Key([new(name, value)]);

    public static PathElement ValueOf(JsonNode? value) =>
        new(PathElementKind.Value, null, [], value?.DeepClone(), "v:" + JsonText.Of(value));

    /// <summary>Parses a fieldsV1 key; false for a prefix this version does not know (such as <c>i:</c>), which upstream ignores too.</summary>
    public static bool TryParse(string text, out PathElement element)
    {
        element = null!;
        if (text.Length < 2 || text[1] != ':')
        {
            return false;
        }
        var body = text[2..];
        try
        {
            switch (text[0])
            {
                case 'f':
                    element = Field(body);
                    return true;
                case 'k' when JsonNode.Parse(body) is JsonObject fields:
                    element = Key(fields);
                    return true;
                case 'v':
                    element = ValueOf(JsonNode.Parse(body));
                    return true;
                default:
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The fieldsV1 key form.</summary>
    public string Serialize() => serialized;

    /// <summary>The form Kubernetes uses in conflict messages: <c>.name</c>, <c>[name="app"]</c>, <c>[="x"]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + FieldName,
        PathElementKind.Key => "[" + string.Join(",", keyFields.Select(k => k.Name + "=" + JsonText.Of(k.Value))) + "]",
        _ => "[=" + JsonText.Of(value) + "]",
    };

    /// <summary>Whether a list item is the one this Key or Value element selects.</summary>
    internal bool Selects(JsonNode? item) => Kind switch
    {
        PathElementKind.Key => item is JsonObject o && keyFields.All(k => o.TryGetPropertyValue(k.Name, out var v) && JsonNode.DeepEquals(v, k.Value)),
        PathElementKind.Value => JsonNode.DeepEquals(item, value),
        _ => false,
    };

    public bool Equals(PathElement? other) => other is not null && serialized == other.serialized;

    public override bool Equals(object? obj) => Equals(obj as PathElement);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(serialized);

    /// <summary>Fields first (by name), then keys, then values, as structured-merge-diff orders them.</summary>
    public int CompareTo(PathElement? other)
    {
        if (other is null)
        {
            return 1;
        }
        var c = Kind.CompareTo(other.Kind);
        if (c == 0)
        {
            c = Kind switch
            {
                PathElementKind.Field => string.CompareOrdinal(FieldName, other.FieldName),
                PathElementKind.Key => CompareKeys(keyFields, other.keyFields),
                _ => JsonText.Compare(value, other.value),
            };
        }
        // Ties between unequal elements (1 vs 1.0) still need a total order consistent with Equals.
        return c != 0 ? c : string.CompareOrdinal(serialized, other.serialized);
    }

    private static int CompareKeys((string Name, JsonNode? Value)[] a, (string Name, JsonNode? Value)[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = string.CompareOrdinal(a[i].Name, b[i].Name);
            if (c == 0)
            {
                c = JsonText.Compare(a[i].Value, b[i].Value);
            }
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }
}
