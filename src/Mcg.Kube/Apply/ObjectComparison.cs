using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>
/// What changed between two versions of an object, as structured-merge-diff's Compare reports it: leaves whose value
/// differs, and every path (leaf, map, list or item) that appeared or disappeared.
/// </summary>
internal sealed class ObjectComparison
{
    private ObjectComparison()
    {
    }

    /// <summary>Paths added or modified.</summary>
    public FieldSet Changed { get; } = new();

    public FieldSet Removed { get; } = new();

    public bool IsEmpty => Changed.IsEmpty && Removed.IsEmpty;

    public static ObjectComparison Of(JsonObject? before, JsonObject after)
    {
        var result = new ObjectComparison();
        result.CompareMaps(before, after, [], []);
        return result;
    }

    private void CompareMaps(JsonObject? a, JsonObject? b, string[] names, List<PathElement> path)
    {
        var fields = (a?.Select(p => p.Key) ?? []).Union(b?.Select(p => p.Key) ?? []).ToList();
        foreach (var field in fields)
        {
            JsonNode? va = null, vb = null;
            var hasA = a?.TryGetPropertyValue(field, out va) ?? false;
            var hasB = b?.TryGetPropertyValue(field, out vb) ?? false;
            path.Add(PathElement.Field(field));
            CompareValues(hasA, va, hasB, vb, names, field, path);
            path.RemoveAt(path.Count - 1);
        }
    }

    private void CompareValues(bool hasA, JsonNode? a, bool hasB, JsonNode? b, string[] names, string field, List<PathElement> path)
    {
        var (shapeA, shapeB) = (Shape.Of(a, names, field), Shape.Of(b, names, field));
        if (hasA && hasB && shapeA != shapeB)
        {
            CompareValues(true, a, false, null, names, field, path);
            CompareValues(false, null, true, b, names, field, path);
            return;
        }
        var shape = hasB ? shapeB : shapeA;
        var isLeaf = shape.Kind is ShapeKind.Scalar or ShapeKind.AtomicMap or ShapeKind.AtomicList
            || (IsEmptyContainer(a) && IsEmptyContainer(b)); // upstream keeps {} and [] apart from absent by treating them as leaves
        if (!isLeaf)
        {
            if (shape.Kind == ShapeKind.Map)
            {
                CompareMaps(a as JsonObject, b as JsonObject, [.. names, field], path);
            }
            else
            {
                CompareItems(a as JsonArray, b as JsonArray, shape, [.. names, field], path);
            }
            if (hasA && hasB || AlwaysPresent(path))
            {
                return;
            }
        }
        else if (hasA && hasB && JsonNode.DeepEquals(a, b))
        {
            return;
        }
        (hasA && !hasB ? Removed : Changed).Insert(path);
    }

    private void CompareItems(JsonArray? a, JsonArray? b, Shape shape, string[] names, List<PathElement> path)
    {
        var before = (a ?? []).ToDictionary(shape.ItemElement);
        var after = (b ?? []).ToDictionary(shape.ItemElement);
        foreach (var element in before.Keys.Union(after.Keys).ToList())
        {
            var hasA = before.TryGetValue(element, out var itemA);
            var hasB = after.TryGetValue(element, out var itemB);
            path.Add(element);
            if (!hasA || !hasB)
            {
                (hasA ? Removed : Changed).Insert(path);
            }
            if (shape.Kind == ShapeKind.KeyedList)
            {
                CompareMaps(itemA as JsonObject, itemB as JsonObject, names, path);
            }
            path.RemoveAt(path.Count - 1);
        }
    }

    private static bool IsEmptyContainer(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray l => l.Count == 0,
        _ => false,
    };

    // Built-in kinds embed spec and status as non-pointer structs, so upstream never sees them appear and never records
    // them as members of an Update's set; other maps that appear (labels, data, ...) are.
    private static bool AlwaysPresent(List<PathElement> path) => path is [{ FieldName: "spec" or "status" }];
}
