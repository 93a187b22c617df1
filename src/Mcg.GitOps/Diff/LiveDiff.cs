using System.Text.Json.Nodes;
using Mcg.Kube.Patching;

namespace Mcg.GitOps.Diff;

/// <summary>
/// Whether the live object matches what Git asks for, without flapping on what the cluster adds: every field of the
/// target must be present with the same value in the live object (defaults, status and server metadata are ignored),
/// and keyed lists compare by their merge keys. Fields the controller applied before but Git no longer has are
/// reported by the caller from managedFields.
/// </summary>
public static class LiveDiff
{
    private static readonly HashSet<string> ServerMetadata =
        ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    public static bool IsSynced(JsonObject target, JsonObject live) => Differences(target, live).Count == 0;

    /// <summary>The JSON paths where the live object differs from the target (empty: in sync).</summary>
    public static IReadOnlyList<string> Differences(JsonObject target, JsonObject live)
    {
        var diffs = new List<string>();
        foreach (var (key, value) in target)
        {
            if (key == "status")
            {
                continue;
            }
            if (key == "metadata" && value is JsonObject meta)
            {
                CompareMetadata(meta, live["metadata"] as JsonObject, diffs);
                continue;
            }
            Compare(value, live[key], [], key, "." + key, diffs);
        }
        return diffs;
    }

    private static void CompareMetadata(JsonObject target, JsonObject? live, List<string> diffs)
    {
        foreach (var (key, value) in target)
        {
            if (ServerMetadata.Contains(key) || key == "annotations" && value is JsonObject { Count: 0 })
            {
                continue;
            }
            Compare(value, live?[key], ["metadata"], key, ".metadata." + key, diffs);
        }
    }

    private static void Compare(JsonNode? target, JsonNode? live, List<string> parentPath, string field, string path, List<string> diffs)
    {
        switch (target)
        {
            case null:
                if (live is not null)
                {
                    diffs.Add(path);
                }
                return;
            case JsonObject t:
                if (live is not JsonObject l)
                {
                    diffs.Add(path);
                    return;
                }
                var childPath = new List<string>(parentPath) { field };
                foreach (var (key, value) in t)
                {
                    Compare(value, l[key], childPath, key, $"{path}.{key}", diffs);
                }
                return;
            case JsonArray ta:
                if (live is not JsonArray la)
                {
                    diffs.Add(path);
                    return;
                }
                CompareList(ta, la, parentPath, field, path, diffs);
                return;
            default:
                if (!ScalarEquals(target, live))
                {
                    diffs.Add(path);
                }
                return;
        }
    }

    private static void CompareList(JsonArray target, JsonArray live, List<string> parentPath, string field, string path, List<string> diffs)
    {
        var key = MergeKeys.For(parentPath, field);
        var itemParent = new List<string>(parentPath) { field };
        if (key is not null && target.All(t => t is JsonObject o && o.ContainsKey(key)))
        {
            if (target.Count != live.Count)
            {
                diffs.Add(path);
                return;
            }
            foreach (var t in target.OfType<JsonObject>())
            {
                var match = live.OfType<JsonObject>().FirstOrDefault(l => JsonNode.DeepEquals(l[key], t[key]));
                if (match is null)
                {
                    diffs.Add($"{path}[{key}={t[key]?.ToJsonString()}]");
                    continue;
                }
                foreach (var (k, v) in t)
                {
                    Compare(v, match[k], itemParent, k, $"{path}[{key}={t[key]?.ToJsonString()}].{k}", diffs);
                }
            }
            return;
        }
        if (target.Count != live.Count)
        {
            diffs.Add(path);
            return;
        }
        for (var i = 0; i < target.Count; i++)
        {
            Compare(target[i], live[i], parentPath, field, $"{path}[{i}]", diffs);
        }
    }

    /// <summary>Numbers compare by value (1 and 1.0 are equal); everything else exactly.</summary>
    private static bool ScalarEquals(JsonNode target, JsonNode? live)
    {
        if (live is null)
        {
            return false;
        }
        if (target is JsonValue tv && live is JsonValue lv
            && tv.GetValueKind() == System.Text.Json.JsonValueKind.Number && lv.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            return decimal.TryParse(tv.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var a)
                && decimal.TryParse(lv.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var b)
                && a == b;
        }
        return JsonNode.DeepEquals(target, live);
    }
}
