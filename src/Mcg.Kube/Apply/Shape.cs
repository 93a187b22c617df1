using System.Text.Json.Nodes;
using Mcg.Kube.Patching;

namespace Mcg.Kube.Apply;

internal enum ShapeKind
{
    Scalar,
    Map,
    AtomicMap,
    KeyedList,
    SetList,
    AtomicList,
}

/// <summary>
/// How server-side apply treats a value, standing in for the OpenAPI schema: maps merge per field, keyed lists (from
/// <see cref="MergeKeys"/>) per item, set lists per value; everything else is a leaf replaced as a whole.
/// A list whose items lack the merge key or repeat one is atomic rather than an error: the table keys fields by name
/// alone, so custom resources reuse those names (<c>ports</c>, <c>conditions</c>) for lists of other shapes.
/// </summary>
internal readonly record struct Shape(ShapeKind Kind, string? Key = null)
{
    /// <summary>The shape of <paramref name="value"/>, stored under <paramref name="field"/> of the map at <paramref name="names"/>.</summary>
    public static Shape Of(JsonNode? value, IReadOnlyList<string> names, string field) => value switch
    {
        JsonObject o => IsLabelSelector(field, o) ? new(ShapeKind.AtomicMap) : new(ShapeKind.Map),
        JsonArray a => OfList(a, names, field),
        _ => new(ShapeKind.Scalar),
    };

    public bool IsList => Kind is ShapeKind.KeyedList or ShapeKind.SetList;

    /// <summary>The element selecting <paramref name="item"/> in a keyed or set list of this shape.</summary>
    public PathElement ItemElement(JsonNode? item) =>
        Kind == ShapeKind.KeyedList ? PathElement.Key(Key!, ((JsonObject)item!)[Key!]) : PathElement.ValueOf(item);

    private static Shape OfList(JsonArray list, IReadOnlyList<string> names, string field)
    {
        if (MergeKeys.SetLists.Contains(field))
        {
            return list.All(i => i is JsonValue) && Distinct(list.Select(PathElement.ValueOf))
                ? new(ShapeKind.SetList)
                : new(ShapeKind.AtomicList);
        }
        var key = MergeKeys.For(names, field);
        var keyed = key is not null
            && list.All(i => i is JsonObject o && o[key] is JsonValue)
            && Distinct(list.Select(i => PathElement.Key(key, i![key])));
        return keyed ? new(ShapeKind.KeyedList, key) : new(ShapeKind.AtomicList);
    }

    private static bool Distinct(IEnumerable<PathElement> elements)
    {
        var seen = new HashSet<PathElement>();
        return elements.All(seen.Add);
    }

    // metav1.LabelSelector is declared atomic (+structType=atomic); Service's spec.selector is a plain string map and
    // never has these object/array members.
    private static bool IsLabelSelector(string field, JsonObject o) =>
        field is "selector" or "labelSelector" or "namespaceSelector"
        && o.Count > 0
        && o.All(p => p.Key switch
        {
            "matchLabels" => p.Value is JsonObject,
            "matchExpressions" => p.Value is JsonArray,
            _ => false,
        });
}
