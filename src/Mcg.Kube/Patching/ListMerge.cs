using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>The list half of <see cref="StrategicMergePatch"/>.</summary>
internal static class ListMerge
{
    /// <summary>
    /// Merges the list <paramref name="field"/> of <paramref name="target"/> with the patch's list of that name and
    /// its $setElementOrder / $deleteFromPrimitiveList directives. <paramref name="path"/> leads to <paramref name="target"/>.
    /// </summary>
    public static void MergeField(JsonObject target, JsonObject patch, string field, IReadOnlyList<string> path)
    {
        JsonArray? patchList = null;
        if (patch.TryGetPropertyValue(field, out var patchValue))
        {
            if (patchValue is not JsonArray array)
            {
                // Not a list in the patch: it replaces or deletes the field like any other value.
                return;
            }
            patchList = array;
        }
        var order = Directive(patch, StrategicMergePatch.SetElementOrderPrefix + field);
        var deletions = Directive(patch, StrategicMergePatch.DeleteFromPrimitiveListPrefix + field);
        var live = target[field] is JsonArray liveArray ? JsonNodes.TakeItems(liveArray) : null;
        if (patchList is null && live is null)
        {
            return;
        }
        live ??= [];
        var mergeKey = MergeKeys.For(path, field);
        var listPath = (IReadOnlyList<string>)[.. path, field];
        var kind = Strategy(mergeKey, field, live, patchList);
        var merged = kind switch
        {
            ListKind.Keyed => MergeKeyed(live, patchList, mergeKey!, listPath),
            ListKind.Set => MergeSet(live, patchList),
            _ => patchList is null ? live : FreshList(patchList, listPath),
        };
        if (order is not null && kind != ListKind.Atomic)
        {
            merged = ApplyOrder(merged, order, live, kind == ListKind.Keyed ? mergeKey : null, field);
        }
        if (deletions is not null)
        {
            merged.RemoveAll(item => deletions.Any(d => JsonNode.DeepEquals(item, d)));
        }
        target[field] = new JsonArray([.. merged]);
    }

    private enum ListKind
    {
        Atomic,
        Keyed,
        Set,
    }

    private static ListKind Strategy(string? mergeKey, string field, List<JsonNode?> live, JsonArray? patch)
    {
        var items = live.Concat(patch ?? []).ToList();
        if (mergeKey is not null && items.All(i => i is JsonObject))
        {
            return ListKind.Keyed;
        }
        var mergeable = mergeKey is not null || MergeKeys.SetLists.Contains(field);
        return mergeable && items.All(i => i is not (JsonObject or JsonArray)) ? ListKind.Set : ListKind.Atomic;
    }

    private static List<JsonNode?> MergeKeyed(List<JsonNode?> live, JsonArray? patch, string mergeKey, IReadOnlyList<string> listPath)
    {
        if (patch is null)
        {
            return live;
        }
        var items = live.Cast<JsonObject>().ToList();
        var plain = new List<JsonObject>();
        var replace = false;
        foreach (var element in patch.Cast<JsonObject>())
        {
            if (!element.TryGetPropertyValue(StrategicMergePatch.PatchDirective, out var directive))
            {
                plain.Add(element);
                continue;
            }
            switch (JsonNodes.AsString(directive))
            {
                case "delete":
                    var key = KeyOf(element, mergeKey, listPath);
                    items.RemoveAll(i => JsonNode.DeepEquals(i[mergeKey], key));
                    break;
                case "replace":
                    replace = true;
                    break;
                default:
                    throw PatchException.Invalid($"unknown patch type {directive?.ToJsonString()} in list \"{listPath[^1]}\"");
            }
        }
        if (replace)
        {
            return plain.Select(e => (JsonNode?)StrategicMergePatch.Fresh(e, listPath)).Where(e => e is not null).ToList();
        }
        var liveOrder = items.Cast<JsonNode?>().ToList();
        foreach (var element in plain)
        {
            var key = KeyOf(element, mergeKey, listPath);
            if (items.Find(i => JsonNode.DeepEquals(i[mergeKey], key)) is { } existing)
            {
                StrategicMergePatch.MergeMap(existing, element, listPath);
            }
            else if (StrategicMergePatch.Fresh(element, listPath) is { } added)
            {
                items.Add(added);
            }
        }
        return ListOrder.Normalize([.. items], [.. plain], liveOrder, n => (n as JsonObject)?[mergeKey]);
    }

    private static List<JsonNode?> MergeSet(List<JsonNode?> live, JsonArray? patch)
    {
        if (patch is null)
        {
            return live;
        }
        var merged = new List<JsonNode?>();
        foreach (var item in live.Concat(patch.Select(p => p?.DeepClone())))
        {
            if (!merged.Any(m => JsonNode.DeepEquals(m, item)))
            {
                merged.Add(item);
            }
        }
        return ListOrder.Normalize(merged, [.. patch], live, n => n);
    }

    private static List<JsonNode?> ApplyOrder(List<JsonNode?> merged, JsonArray order, List<JsonNode?> live, string? mergeKey, string field)
    {
        if (mergeKey is null)
        {
            return ListOrder.Normalize(merged, [.. order], live, n => n);
        }
        if (order.Any(o => o is not JsonObject entry || !entry.ContainsKey(mergeKey)))
        {
            throw PatchException.Invalid($"$setElementOrder/{field} entries must be maps holding the merge key \"{mergeKey}\"");
        }
        return ListOrder.Normalize(merged, [.. order], live, n => (n as JsonObject)?[mergeKey]);
    }

    /// <summary>An atomic patch list taken as is, except that its maps lose their directives and nulls.</summary>
    private static List<JsonNode?> FreshList(JsonArray patch, IReadOnlyList<string> listPath)
    {
        var result = new List<JsonNode?>();
        foreach (var element in patch)
        {
            if (element is not JsonObject obj)
            {
                result.Add(element?.DeepClone());
            }
            else if (StrategicMergePatch.Fresh(obj, listPath) is { } fresh)
            {
                result.Add(fresh);
            }
        }
        return result;
    }

    private static JsonNode KeyOf(JsonObject element, string mergeKey, IReadOnlyList<string> listPath) =>
        element[mergeKey] ?? throw PatchException.Invalid($"map in list \"{listPath[^1]}\" does not contain the merge key \"{mergeKey}\"");

    private static JsonArray? Directive(JsonObject patch, string key)
    {
        if (!patch.TryGetPropertyValue(key, out var node))
        {
            return null;
        }
        return node as JsonArray ?? throw PatchException.Invalid($"{key} must be a list");
    }
}
