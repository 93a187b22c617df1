using System.Text.Json.Nodes;
using Mcg.Kube.Apply;

namespace Mcg.GitOps.Diff;

/// <summary>Removes from an object the fields that given managers own according to its <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    public static void RemoveOwnedBy(JsonObject obj, IReadOnlyCollection<string> managers)
    {
        if (managers.Count == 0 || (obj["metadata"] as JsonObject)?["managedFields"] is not JsonArray entries)
        {
            return;
        }
        var owned = new FieldSet();
        foreach (var entry in entries.OfType<JsonObject>())
        {
            if (entry["manager"] is JsonValue m && m.TryGetValue<string>(out var manager) && managers.Contains(manager)
                && entry["fieldsV1"] is JsonObject fieldsV1)
            {
                owned = owned.Union(FieldSet.FromFieldsV1(fieldsV1));
            }
        }
        Remove(obj, owned.ToFieldsV1(), new HashSet<string>());
    }

    /// <summary>
    /// Walks the fieldsV1 tree alongside the value. Leaves go; a container the managers own goes too once nothing but
    /// its key fields is left in it, so fields that other managers set inside it survive. Key fields of a keyed list item
    /// stay while the item does, since they are its identity and every manager of the item lists them.
    /// </summary>
    private static void Remove(JsonNode node, JsonObject fields, IReadOnlySet<string> keyFields)
    {
        foreach (var (key, value) in fields)
        {
            if (key == "." || !PathElement.TryParse(key, out var element) || Find(node, element) is not { } location)
            {
                continue;
            }
            var body = value as JsonObject ?? [];
            var isMember = body.Count == 0 || body.ContainsKey(".");
            var child = location.Property is not null ? ((JsonObject)location.Container)[location.Property] : ((JsonArray)location.Container)[location.Index];
            if (body.Any(p => p.Key != "."))
            {
                HashSet<string> itemKeys = element.Kind == PathElementKind.Key ? [.. element.KeyNames] : [];
                if (child is not null)
                {
                    Remove(child, body, itemKeys);
                }
                if (isMember && IsEmptyBut(child, itemKeys))
                {
                    JsonLocation.RemoveAll([location]);
                }
            }
            else if (isMember && !(element.Kind == PathElementKind.Field && keyFields.Contains(element.FieldName!)))
            {
                JsonLocation.RemoveAll([location]);
            }
        }
    }

    private static bool IsEmptyBut(JsonNode? node, IReadOnlySet<string> keep) => node switch
    {
        JsonObject obj => obj.All(p => keep.Contains(p.Key)),
        JsonArray array => array.Count == 0,
        _ => false,
    };

    private static JsonLocation? Find(JsonNode node, PathElement element)
    {
        if (element.Kind == PathElementKind.Field)
        {
            return node is JsonObject obj && obj.ContainsKey(element.FieldName!) ? JsonLocation.Of(obj, element.FieldName!) : null;
        }
        if (node is not JsonArray array)
        {
            return null;
        }
        // The element's own JSON follows its "k:" or "v:" prefix.
        var selector = JsonNode.Parse(element.Serialize()[2..]);
        for (var i = 0; i < array.Count; i++)
        {
            var matches = element.Kind == PathElementKind.Key
                ? array[i] is JsonObject item && selector!.AsObject().All(k => item.TryGetPropertyValue(k.Key, out var v) && JsonNode.DeepEquals(v, k.Value))
                : JsonNode.DeepEquals(array[i], selector);
            if (matches)
            {
                return JsonLocation.Of(array, i);
            }
        }
        return null;
    }
}
