using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// Strategic merge as kustomize applies patches (kyaml's merge2 with lists prepended), which differs from the API
/// server's: merged keyed lists hold the patch's elements first, then the target's others; lists without merge keys,
/// and every list of a custom resource, are replaced; <c>$patch: delete|replace</c> work on maps and list elements.
/// </summary>
internal static class StrategicMerge
{
    private const string Directive = "$patch";

    /// <summary>Merges <paramref name="patch"/> into a copy of <paramref name="target"/>; null when the patch deletes it.</summary>
    public static JsonObject? Apply(JsonObject target, JsonObject patch)
    {
        if (AsString(patch[Directive]) == "replace")
        {
            // kustomize builds the replacement but never stores it: a top-level replace leaves the object as it was.
            return target.DeepClone().AsObject();
        }
        var gvk = target.Gvk();
        return MergeMap(target.DeepClone().AsObject(), patch, Scopes.HasSchema(gvk) ? gvk : null, []);
    }

    private static JsonObject? MergeMap(JsonObject? dest, JsonObject src, GroupVersionKind? schema, List<string> path)
    {
        switch (AsString(src[Directive]))
        {
            case "delete":
                return null;
            case "replace":
                dest = null;
                break;
        }
        dest ??= [];
        foreach (var (key, value) in src)
        {
            if (key == Directive)
            {
                continue;
            }
            var merged = value switch
            {
                null => null,
                JsonObject map => MergeMap(dest[key] as JsonObject, map, schema, [.. path, key]),
                JsonArray list => MergeList(dest[key] as JsonArray, list, schema, [.. path, key]),
                _ => value.GetValueKind() == JsonValueKind.Null ? null : value.DeepClone(),
            };
            if (merged is null)
            {
                dest.Remove(key);
            }
            else
            {
                dest[key] = merged;
            }
        }
        return dest;
    }

    private static JsonArray? MergeList(JsonArray? dest, JsonArray src, GroupVersionKind? schema, List<string> path)
    {
        var keys = schema is { } gvk ? MergeKeysFor(gvk, path) : null;
        if (keys is null)
        {
            return (JsonArray)src.DeepClone();
        }
        var items = src.ToList();
        var listDirective = items.OfType<JsonObject>().FirstOrDefault(o => o.Count == 1 && o.ContainsKey(Directive));
        if (listDirective is not null)
        {
            items.Remove(listDirective);
            switch (AsString(listDirective[Directive]))
            {
                case "replace":
                    dest = null;
                    break;
                case "delete":
                    throw new RenderException($"$patch: delete is not supported for the list \"{string.Join('.', path)}\"");
            }
        }
        var existing = dest?.ToList() ?? [];
        if (keys.Length == 0 || items.Concat(existing).Any(i => i is not JsonObject))
        {
            var union = new List<JsonNode?>();
            foreach (var item in items.Concat(existing))
            {
                if (!union.Any(u => JsonNode.DeepEquals(u, item)))
                {
                    union.Add(item?.DeepClone());
                }
            }
            return [.. union];
        }
        var srcMaps = items.Cast<JsonObject>().ToList();
        var destMaps = existing.Cast<JsonObject>().ToList();
        // kyaml pairs elements by their whole key tuple (a missing key reads as ""). A patch element whose tuple differs
        // from a target element's only by keys missing on one side is dropped, and that target element kept as it was.
        var patches = srcMaps.Where(m => HasAnyKey(m, keys))
            .Where(m => !destMaps.Any(d => Compatible(KeyTuple(m, keys), KeyTuple(d, keys)) && !KeyTuple(m, keys).SequenceEqual(KeyTuple(d, keys))))
            .ToList();
        var tuples = new List<string[]>();
        foreach (var tuple in patches.Concat(destMaps.Where(m => HasAnyKey(m, keys))).Select(m => KeyTuple(m, keys)))
        {
            if (!tuples.Any(t => t.SequenceEqual(tuple)))
            {
                tuples.Add(tuple);
            }
        }
        var result = new JsonArray();
        foreach (var tuple in tuples)
        {
            var target = destMaps.FirstOrDefault(m => KeyTuple(m, keys).SequenceEqual(tuple));
            var patch = patches.FirstOrDefault(m => KeyTuple(m, keys).SequenceEqual(tuple));
            var merged = patch is null ? target?.DeepClone().AsObject() : MergeMap(target?.DeepClone().AsObject(), patch, schema, path);
            if (merged is { Count: > 0 })
            {
                result.Add(merged);
            }
        }
        foreach (var keyless in destMaps.Where(m => !HasAnyKey(m, keys)))
        {
            result.Add(keyless.DeepClone());
        }
        return result;
    }

    private static bool Compatible(string[] a, string[] b) =>
        a.Length > 0 && a[0] == b[0] && a.Zip(b).All(p => p.First == p.Second || p.First.Length == 0 || p.Second.Length == 0);

    private static bool HasAnyKey(JsonObject item, string[] keys) => keys.Any(item.ContainsKey);

    private static string[] KeyTuple(JsonObject item, string[] keys) => keys.Select(k => Text(item[k])).ToArray();

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string? AsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>
    /// The merge keys Kubernetes 1.21's schema declares for the list at <paramref name="path"/> (x-kubernetes-list-map-keys,
    /// else the patch merge key); an empty array for a merged list of scalars; null for a list replaced as a whole.
    /// </summary>
    private static string[]? MergeKeysFor(GroupVersionKind gvk, List<string> path)
    {
        var field = path[^1];
        var parent = path.Count > 1 ? path[^2] : "";
        var inContainer = parent is "containers" or "initContainers" or "ephemeralContainers";
        return field switch
        {
            "containers" or "initContainers" or "ephemeralContainers" when parent == "spec" => ["name"],
            "volumes" or "imagePullSecrets" when parent == "spec" => ["name"],
            "hostAliases" when parent == "spec" => ["ip"],
            "topologySpreadConstraints" when parent == "spec" => ["topologyKey", "whenUnsatisfiable"],
            "ports" when inContainer => ["containerPort", "protocol"],
            "ports" when gvk.Kind == "Service" && path.Count == 2 && parent == "spec" => ["port", "protocol"],
            "env" when inContainer => ["name"],
            "volumeMounts" when inContainer => ["mountPath"],
            "volumeDevices" when inContainer => ["devicePath"],
            "finalizers" when parent == "metadata" => [],
            "ownerReferences" when parent == "metadata" => ["uid"],
            "conditions" when parent == "status" => ["type"],
            "secrets" when path.Count == 1 && gvk.Kind == "ServiceAccount" => ["name"],
            "webhooks" when path.Count == 1 && gvk.Kind is "ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration" => ["name"],
            _ => null,
        };
    }
}
