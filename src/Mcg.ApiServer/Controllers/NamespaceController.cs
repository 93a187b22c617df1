using System.Text.Json.Nodes;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Controllers;

/// <summary>Empties a terminating namespace, then removes its <c>kubernetes</c> finalizer so the namespace goes.</summary>
public sealed class NamespaceController(ObjectStore store, ObjectLifecycle lifecycle, ResourceRegistry registry, TimeProvider clock)
{
    public void Reconcile(string ns)
    {
        var nsObj = store.Get("/namespaces", null, ns);
        if (nsObj is null || nsObj.Object.Metadata()["deletionTimestamp"] is null)
        {
            return;
        }
        foreach (var key in registry.All.Where(r => r.Namespaced).Select(r => r.StorageKey).Distinct())
        {
            foreach (var o in store.List(key, ns).Items.ToList())
            {
                lifecycle.DeleteLatest(key, ns, o.Name, current => current.Object.Metadata()["deletionTimestamp"] is null ? "Background" : null);
            }
        }
        var remaining = new SortedSet<string>(StringComparer.Ordinal);
        var finalizers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in registry.All.Where(r => r.Namespaced).Select(r => r.StorageKey).Distinct())
        {
            var items = store.List(key, ns).Items.ToList();
            if (items.Count == 0)
            {
                continue;
            }
            // As upstream writes a GroupVersionResource's resource and group: "configmaps.", "widgets.example.com".
            var slash = key.IndexOf('/');
            remaining.Add($"{key[(slash + 1)..]}.{key[..slash]} has {items.Count} resource instances");
            foreach (var f in items.SelectMany(o => o.Object.Finalizers()))
            {
                finalizers[f] = finalizers.GetValueOrDefault(f) + 1;
            }
        }
        UpdateConditions(ns, remaining, finalizers);
        if (remaining.Count > 0)
        {
            return;
        }
        lifecycle.Update("/namespaces", "", ns, obj =>
        {
            if (obj["spec"]?["finalizers"] is not JsonArray { Count: > 0 })
            {
                return false;
            }
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray() };
            return true;
        });
    }

    /// <summary>
    /// The namespace controller's status conditions on a terminating namespace, which tell (kubectl describe) what it
    /// still waits for; a condition keeps its lastTransitionTime while it stays the same.
    /// </summary>
    private void UpdateConditions(string ns, SortedSet<string> remaining, SortedDictionary<string, int> finalizers)
    {
        var now = Http.ObjectRules.Timestamp(clock.GetUtcNow());
        var desired = new (string Type, bool Status, string Reason, string Message)[]
        {
            ("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
            remaining.Count > 0
                ? ("NamespaceContentRemaining", true, "SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", remaining))
                : ("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed"),
            finalizers.Count > 0
                ? ("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: "
                    + string.Join(", ", finalizers.Select(f => $"{f.Key} in {f.Value} resource instances")))
                : ("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
        };
        lifecycle.Update("/namespaces", "", ns, obj =>
        {
            var status = obj["status"] as JsonObject ?? [];
            var existing = (status["conditions"] as JsonArray)?.OfType<JsonObject>().ToDictionary(c => c.GetString("type") ?? "") ?? [];
            var conditions = new JsonArray();
            foreach (var (type, value, reason, message) in desired)
            {
                var text = value ? "True" : "False";
                var same = existing.TryGetValue(type, out var old) && old.GetString("status") == text && old.GetString("reason") == reason && old.GetString("message") == message;
                conditions.Add(same ? old!.DeepClone() : new JsonObject
                {
                    ["type"] = type,
                    ["status"] = text,
                    ["lastTransitionTime"] = now,
                    ["reason"] = reason,
                    ["message"] = message,
                });
            }
            if (JsonNode.DeepEquals(status["conditions"], conditions))
            {
                return false;
            }
            status["conditions"] = conditions;
            obj["status"] = status;
            return true;
        });
    }
}
