using System.Text.Json.Nodes;

namespace Mcg.Fleet.Policy;

/// <summary>
/// The config-policy-controller's comparison of an object template with a live object.
/// <list type="bullet">
/// <item><b>musthave</b>: every given field is present with the given value; maps may have more keys; every given list
/// item is present (list items that are maps match an item containing them); enforcing merges the template in.</item>
/// <item><b>mustonlyhave</b>: every given top-level field is exactly as given (maps without extra keys, lists equal in
/// any order) and the object has no other top-level fields (besides metadata and status); enforcing replaces them.</item>
/// </list>
/// Only <c>metadata.labels</c> and <c>metadata.annotations</c> of the metadata are compared (with
/// <c>metadataComplianceType</c> when given). A given <c>status</c> is compared but never written.
/// </summary>
public static class ObjectMatcher
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    public static MatchResult Compare(JsonObject desired, JsonObject existing, ComplianceType type, ComplianceType? metadataType = null)
    {
        var exact = type == ComplianceType.MustOnlyHave;
        var merged = (JsonObject)existing.DeepClone();
        var differences = new List<string>();
        var statusMatches = true;
        foreach (var (key, value) in desired)
        {
            switch (key)
            {
                case "apiVersion" or "kind":
                    continue;
                case "metadata":
                    CompareMetadata(value as JsonObject, existing["metadata"] as JsonObject, merged,
                        (metadataType ?? type) == ComplianceType.MustOnlyHave, differences);
                    continue;
                case "status":
                    statusMatches = exact ? Equal(value, existing[key]) : Contains(value, existing[key]);
                    continue;
            }
            var matches = exact ? Equal(value, existing[key]) : Contains(value, existing[key]);
            if (!matches)
            {
                differences.Add(key);
                merged[key] = exact ? value?.DeepClone() : Merge(value, existing[key]);
            }
        }
        if (exact)
        {
            var serviceAccount = existing["kind"]?.GetValue<string>() == "ServiceAccount" && existing["apiVersion"]?.GetValue<string>() == "v1";
            foreach (var key in existing.Select(kv => kv.Key).ToList())
            {
                if (desired.ContainsKey(key) || key is "apiVersion" or "kind" or "metadata" or "status"
                    || (serviceAccount && key is "secrets" or "imagePullSecrets"))
                {
                    continue;
                }
                differences.Add(key);
                merged.Remove(key);
            }
        }
        return new MatchResult(differences.Count == 0, statusMatches, differences, merged);
    }

    /// <summary>musthave: <paramref name="existing"/> has everything <paramref name="desired"/> gives.</summary>
    public static bool Contains(JsonNode? desired, JsonNode? existing)
    {
        switch (desired)
        {
            case JsonObject d:
                if (existing is null)
                {
                    return d.Count == 0;
                }
                return existing is JsonObject e && d.All(kv => Contains(kv.Value, e[kv.Key]));
            case JsonArray d:
                if (existing is null)
                {
                    return d.Count == 0;
                }
                return existing is JsonArray list && MatchItems(d, list, ItemContains) is { Unmatched.Count: 0 };
            default:
                return ValueComparer.ScalarEquals(desired, existing);
        }
    }

    /// <summary>mustonlyhave: <paramref name="existing"/> is exactly <paramref name="desired"/> (lists in any order; absent equals empty).</summary>
    public static bool Equal(JsonNode? desired, JsonNode? existing)
    {
        switch (desired)
        {
            case JsonObject d:
                if (existing is null)
                {
                    return d.Count == 0;
                }
                return existing is JsonObject e
                    && d.All(kv => Equal(kv.Value, e[kv.Key]))
                    && e.All(kv => d.ContainsKey(kv.Key) || kv.Value is null);
            case JsonArray d:
                if (existing is null)
                {
                    return d.Count == 0;
                }
                return existing is JsonArray list && list.Count == d.Count && MatchItems(d, list, Equal) is { Unmatched.Count: 0 };
            default:
                return ValueComparer.ScalarEquals(desired, existing);
        }
    }

    /// <summary>musthave enforcement: the live value with the template merged in (maps key by key; list items added when missing).</summary>
    public static JsonNode? Merge(JsonNode? desired, JsonNode? existing)
    {
        switch (desired)
        {
            case JsonObject d when existing is JsonObject e:
                {
                    var result = (JsonObject)e.DeepClone();
                    foreach (var (key, value) in d)
                    {
                        result[key] = Merge(value, e[key]);
                    }
                    return result;
                }
            case JsonArray d when existing is JsonArray e:
                {
                    var result = new JsonArray(e.Select(i => i?.DeepClone()).ToArray());
                    var (pairs, unmatched) = MatchItems(d, e, ItemContains);
                    foreach (var (desiredIndex, existingIndex) in pairs)
                    {
                        result[existingIndex] = Merge(d[desiredIndex], e[existingIndex]);
                    }
                    foreach (var index in unmatched)
                    {
                        result.Add(d[index]?.DeepClone());
                    }
                    return result;
                }
            default:
                return desired?.DeepClone();
        }
    }

    private static bool ItemContains(JsonNode? desired, JsonNode? existing) =>
        desired is JsonObject ? Contains(desired, existing) : Equal(desired, existing);

    /// <summary>Pairs each desired item with a distinct existing item that matches it (first fit); returns the pairs and the unmatched desired items.</summary>
    private static (List<(int Desired, int Existing)> Pairs, List<int> Unmatched) MatchItems(JsonArray desired, JsonArray existing,
        Func<JsonNode?, JsonNode?, bool> matches)
    {
        var used = new bool[existing.Count];
        var pairs = new List<(int, int)>();
        var unmatched = new List<int>();
        for (var i = 0; i < desired.Count; i++)
        {
            var found = -1;
            for (var j = 0; j < existing.Count && found < 0; j++)
            {
                if (!used[j] && matches(desired[i], existing[j]))
                {
                    found = j;
                }
            }
            if (found >= 0)
            {
                used[found] = true;
                pairs.Add((i, found));
            }
            else
            {
                unmatched.Add(i);
            }
        }
        return (pairs, unmatched);
    }

    private static void CompareMetadata(JsonObject? desired, JsonObject? existing, JsonObject merged, bool exact, List<string> differences)
    {
        if (desired is null)
        {
            return;
        }
        foreach (var field in new[] { "labels", "annotations" })
        {
            if (!desired.ContainsKey(field))
            {
                continue;
            }
            var want = WithoutLastApplied(desired[field]);
            var have = WithoutLastApplied(existing?[field]);
            if (exact ? Equal(want, have) : Contains(want, have))
            {
                continue;
            }
            differences.Add("metadata." + field);
            var metadata = merged["metadata"] as JsonObject ?? new JsonObject();
            merged["metadata"] = metadata;
            var lastApplied = (existing?[field] as JsonObject)?[LastApplied]?.DeepClone();
            var value = exact ? want?.DeepClone() : Merge(want, existing?[field]);
            if (lastApplied is not null && value is JsonObject map)
            {
                map[LastApplied] = lastApplied;
            }
            metadata[field] = value;
        }
    }

    private static JsonNode? WithoutLastApplied(JsonNode? map)
    {
        if (map is not JsonObject o || !o.ContainsKey(LastApplied))
        {
            return map;
        }
        var copy = (JsonObject)o.DeepClone();
        copy.Remove(LastApplied);
        return copy;
    }
}
