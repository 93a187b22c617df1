using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>
/// Removes what an applier owned before and no longer applies, unless another manager (or the server) still owns it or
/// something below it. Maps and lists emptied this way go too; key fields of surviving items stay.
/// </summary>
internal static class Pruner
{
    public static void Prune(JsonObject obj, FieldSet previouslyApplied, FieldSet stillOwned) =>
        PruneMap(obj, previouslyApplied, stillOwned, []);

    private static void PruneMap(JsonObject map, FieldSet last, FieldSet? owned, IReadOnlyList<string> keyFields)
    {
        foreach (var element in last.Elements.Where(e => e.Kind == PathElementKind.Field).ToList())
        {
            var field = element.FieldName!;
            if (keyFields.Contains(field) || !map.TryGetPropertyValue(field, out var value))
            {
                continue;
            }
            if (owned?.HasAtOrBelow(element) != true)
            {
                map.Remove(field);
            }
            else if (last.Child(element) is { } lastChild && PruneBelow(value, lastChild, owned.Child(element)) && !owned.HasMember(element))
            {
                map.Remove(field);
            }
        }
    }

    /// <summary>Prunes inside a map or list; true when that emptied it.</summary>
    private static bool PruneBelow(JsonNode? value, FieldSet last, FieldSet? owned)
    {
        switch (value)
        {
            case JsonObject map when map.Count > 0:
                PruneMap(map, last, owned, []);
                return map.Count == 0;
            case JsonArray list when list.Count > 0:
                PruneList(list, last, owned);
                return list.Count == 0;
            default:
                return false;
        }
    }

    private static void PruneList(JsonArray list, FieldSet last, FieldSet? owned)
    {
        foreach (var element in last.Elements.Where(e => e.Kind != PathElementKind.Field))
        {
            var index = list.ToList().FindIndex(element.Selects);
            if (index < 0)
            {
                continue;
            }
            if (owned?.HasAtOrBelow(element) != true)
            {
                list.RemoveAt(index);
            }
            else if (last.Child(element) is { } lastChild && list[index] is JsonObject item)
            {
                PruneMap(item, lastChild, owned.Child(element), element.KeyNames);
            }
        }
    }
}
