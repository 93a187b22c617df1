using System.Text.Json.Nodes;
using Mcg.ApiServer.Http;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Lifecycle;

/// <summary>
/// Writes that follow the deletion rules: an object with finalizers is only marked (deletionTimestamp), and is removed
/// once an update empties its finalizers. Used by the REST handler and by the in-server controllers alike.
/// Throws <see cref="StorageConflictException"/> when the object changed since <c>current</c> was read.
/// </summary>
public sealed class ObjectLifecycle(ObjectStore store, TimeProvider clock)
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    /// <summary>Stores <paramref name="next"/> as the new state of <paramref name="current"/> (null: create).</summary>
    public JsonObject Write(string storageKey, StoredObject? current, JsonObject next, bool dryRun)
    {
        if (current is not null && next.Metadata()["deletionTimestamp"] is not null && next.Finalizers().Count == 0 && !HasNamespaceFinalizers(next))
        {
            return dryRun ? next : store.Delete(storageKey, current.Namespace, current.Name, current.ResourceVersion).Object;
        }
        if (current is not null && Unchanged(current, next))
        {
            // As upstream's GuaranteedUpdate: a write that changes nothing is not stored, keeps the resourceVersion and
            // wakes no watcher (so controllers that write back what they read do not loop).
            return current.Object;
        }
        return dryRun ? next : store.Put(storageKey, next, current?.ResourceVersion ?? 0).Object;
    }

    /// <summary>Deletes now, or marks for deletion when finalizers (or a non-background propagation) must run first.</summary>
    public (JsonObject Result, bool Gone) Delete(StoredObject current, string propagation, bool dryRun)
    {
        var finalizers = current.Object.Finalizers().ToList();
        var isNamespace = current.StorageKey == "/namespaces";
        if (propagation == "Foreground" && !finalizers.Contains(ForegroundFinalizer))
        {
            finalizers.Add(ForegroundFinalizer);
        }
        if (propagation == "Orphan" && !finalizers.Contains(OrphanFinalizer))
        {
            finalizers.Add(OrphanFinalizer);
        }
        if (finalizers.Count == 0 && !isNamespace)
        {
            return dryRun ? (current.Object, true) : (store.Delete(current.StorageKey, current.Namespace, current.Name, current.ResourceVersion).Object, true);
        }
        var marked = current.Clone();
        var meta = marked.Metadata();
        if (meta["deletionTimestamp"] is null)
        {
            meta["deletionTimestamp"] = ObjectRules.Timestamp(clock.GetUtcNow());
            if (!isNamespace)
            {
                // Upstream's graceful-deletion bookkeeping; a namespace's deletion sets only the timestamp.
                meta["deletionGracePeriodSeconds"] = 0;
            }
        }
        if (finalizers.Count > 0)
        {
            meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
        }
        if (isNamespace)
        {
            marked["status"] = new JsonObject { ["phase"] = "Terminating" };
        }
        if (JsonNode.DeepEquals(marked, current.Object))
        {
            return (current.Object, false);
        }
        return (Write(current.StorageKey, current, marked, dryRun), false);
    }

    /// <summary>
    /// Deletes the latest state of an object, re-reading it when it changed meanwhile (for controllers, which would
    /// otherwise never come back to it): <paramref name="policy"/> decides from that state, null to leave it alone.
    /// </summary>
    public void DeleteLatest(string storageKey, string ns, string name, Func<StoredObject, string?> policy)
    {
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var current = store.Get(storageKey, ns, name);
            if (current is null || policy(current) is not { } propagation)
            {
                return;
            }
            try
            {
                Delete(current, propagation, dryRun: false);
                return;
            }
            catch (StorageConflictException)
            {
            }
        }
    }

    /// <summary>Changes an object with retries on conflict (for controllers); <paramref name="mutate"/> returns false to leave it.</summary>
    public void Update(string storageKey, string ns, string name, Func<JsonObject, bool> mutate)
    {
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var current = store.Get(storageKey, ns, name);
            if (current is null)
            {
                return;
            }
            var next = current.Clone();
            if (!mutate(next))
            {
                return;
            }
            try
            {
                Write(storageKey, current, next, dryRun: false);
                return;
            }
            catch (StorageConflictException)
            {
            }
        }
    }

    private static bool Unchanged(StoredObject current, JsonObject next)
    {
        var candidate = (JsonObject)next.DeepClone();
        candidate.Metadata()["resourceVersion"] = current.Object.ResourceVersion();
        return JsonNode.DeepEquals(candidate, current.Object);
    }

    private static bool HasNamespaceFinalizers(JsonObject obj) =>
        obj["kind"]?.GetValue<string>() == "Namespace" && obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };
}
