using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>
/// Merges an applied configuration into the live object: maps per field, keyed lists per item, set lists as a union;
/// leaves and atomic values are replaced. Live order is kept and new entries follow in applied order.
/// </summary>
internal static class ApplyMerge
{
    public static JsonObject Merge(JsonObject live, JsonObject applied) => MergeMaps(live, applied, []);

    private static JsonObject MergeMaps(JsonObject live, JsonObject applied, string[] names)
    {
        var result = new JsonObject();
        foreach (var (field, value) in live)
        {
            result[field] = applied.TryGetPropertyValue(field, out var appliedValue)
                ? MergeValues(value, appliedValue, names, field)
                : value?.DeepClone();
        }
        foreach (var (field, value) in applied)
        {
            if (!live.ContainsKey(field))
            {
                result[field] = value?.DeepClone();
            }
        }
        return result;
    }

    private static JsonNode? MergeValues(JsonNode? live, JsonNode? applied, string[] names, string field)
    {
        var (liveShape, appliedShape) = (Shape.Of(live, names, field), Shape.Of(applied, names, field));
        if (liveShape != appliedShape)
        {
            return applied?.DeepClone();
        }
        return appliedShape.Kind switch
        {
            ShapeKind.Map => MergeMaps((JsonObject)live!, (JsonObject)applied!, [.. names, field]),
            ShapeKind.KeyedList or ShapeKind.SetList => MergeItems((JsonArray)live!, (JsonArray)applied!, appliedShape, [.. names, field]),
            _ => applied?.DeepClone(),
        };
    }

    private static JsonArray MergeItems(JsonArray live, JsonArray applied, Shape shape, string[] names)
    {
        var appliedItems = applied.ToDictionary(shape.ItemElement);
        var result = new JsonArray();
        var seen = new HashSet<PathElement>();
        foreach (var item in live)
        {
            var element = shape.ItemElement(item);
            seen.Add(element);
            result.Add(shape.Kind == ShapeKind.KeyedList && appliedItems.TryGetValue(element, out var appliedItem)
                ? MergeMaps((JsonObject)item!, (JsonObject)appliedItem!, names)
                : item?.DeepClone());
        }
        foreach (var item in applied)
        {
            if (!seen.Contains(shape.ItemElement(item)))
            {
                result.Add(item?.DeepClone());
            }
        }
        return result;
    }
}
