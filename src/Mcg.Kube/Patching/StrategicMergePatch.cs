using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>
/// Kubernetes strategic merge patch for built-in kinds: JSON merge patch, except that lists named in
/// <see cref="MergeKeys"/> are merged element by element, and the <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/</c> and <c>$deleteFromPrimitiveList/</c> directives are honoured.
/// Ordering follows k8s.io/apimachinery: $setElementOrder, then the patch list's order, then the live order.
/// </summary>
public static class StrategicMergePatch
{
    internal const string PatchDirective = "$patch";
    internal const string RetainKeysDirective = "$retainKeys";
    internal const string SetElementOrderPrefix = "$setElementOrder/";
    internal const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>Applies <paramref name="patch"/> (a JSON object or null) to <paramref name="target"/>; neither input is modified.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (JsonNodes.IsNull(patch))
        {
            return target?.DeepClone();
        }
        if (patch is not JsonObject patchObject)
        {
            throw PatchException.Invalid("a strategic merge patch must be a JSON object");
        }
        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        // "$patch: delete" at the root leaves an empty object, as apimachinery does.
        return MergeMap(result, patchObject, []) ? result : new JsonObject();
    }

    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="target"/> in place. <paramref name="path"/> holds the field
    /// names leading to <paramref name="target"/>. Returns false when the patch deletes the map.
    /// </summary>
    internal static bool MergeMap(JsonObject target, JsonObject patch, IReadOnlyList<string> path)
    {
        if (patch.TryGetPropertyValue(PatchDirective, out var directive))
        {
            switch (JsonNodes.AsString(directive))
            {
                case "delete":
                    return false;
                case "replace":
                    target.Clear();
                    break;
                default:
                    throw PatchException.Invalid($"unknown patch type {directive?.ToJsonString()} in map at \"{string.Join('.', path)}\"");
            }
        }
        ApplyRetainKeys(target, patch);
        var mergedLists = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (key is PatchDirective or RetainKeysDirective)
            {
                continue;
            }
            if (ListDirectiveField(key) is { } listField)
            {
                if (mergedLists.Add(listField))
                {
                    ListMerge.MergeField(target, patch, listField, path);
                }
            }
            else if (value is JsonArray)
            {
                if (mergedLists.Add(key))
                {
                    ListMerge.MergeField(target, patch, key, path);
                }
            }
            else if (JsonNodes.IsNull(value))
            {
                target.Remove(key);
            }
            else if (value is JsonObject child)
            {
                MergeChildMap(target, key, child, path);
            }
            else
            {
                target[key] = value!.DeepClone();
            }
        }
        return true;
    }

    /// <summary>A patch value merged into nothing: directives applied and nulls dropped. Null when it deletes itself.</summary>
    internal static JsonObject? Fresh(JsonObject patch, IReadOnlyList<string> path)
    {
        var result = new JsonObject();
        return MergeMap(result, patch, path) ? result : null;
    }

    private static void MergeChildMap(JsonObject target, string key, JsonObject patch, IReadOnlyList<string> path)
    {
        if (target[key] is not JsonObject existing)
        {
            if (Fresh(patch, [.. path, key]) is { } created)
            {
                target[key] = created;
            }
            else
            {
                target.Remove(key);
            }
        }
        else if (!MergeMap(existing, patch, [.. path, key]))
        {
            target.Remove(key);
        }
    }

    private static bool IsDirective(string key) => key is PatchDirective or RetainKeysDirective || ListDirectiveField(key) is not null;

    private static string? ListDirectiveField(string key) =>
        key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal) ? key[SetElementOrderPrefix.Length..]
        : key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal) ? key[DeleteFromPrimitiveListPrefix.Length..]
        : null;

    private static void ApplyRetainKeys(JsonObject target, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var node))
        {
            return;
        }
        if (node is not JsonArray list || list.Any(k => JsonNodes.AsString(k) is null))
        {
            throw PatchException.Invalid("$retainKeys must be a list of field names");
        }
        var retained = list.Select(k => JsonNodes.AsString(k)!).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (!IsDirective(key) && !JsonNodes.IsNull(value) && !retained.Contains(key))
            {
                throw PatchException.Invalid($"field \"{key}\" is set by the patch but missing from $retainKeys");
            }
        }
        foreach (var key in target.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
        {
            target.Remove(key);
        }
    }
}
