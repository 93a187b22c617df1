using System.Text.Json.Nodes;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Controllers;

/// <summary>
/// ownerReferences garbage collection: background (dependents go after their owners), foreground (the owner waits,
/// behind its foregroundDeletion finalizer, until its dependents are gone) and orphan (dependents lose the reference).
/// </summary>
public sealed class GarbageCollector(ObjectStore store, ObjectLifecycle lifecycle, ResourceRegistry registry)
{
    public void OnEvent(WatchEvent evt)
    {
        var obj = evt.Object;
        if (evt.Type == WatchEventType.Deleted)
        {
            CollectDependents(obj.Uid, "Background");
            // A dependent going away may be what a foreground owner waits for.
            foreach (var owner in Owners(obj))
            {
                Reconcile(owner);
            }
            return;
        }
        Reconcile(obj);
        if (obj.OwnerUids.Count > 0 && (evt.Previous is null || !evt.Previous.OwnerUids.SequenceEqual(obj.OwnerUids)))
        {
            CollectIfOwnersAbsent(obj);
        }
    }

    /// <summary>
    /// A dependent whose owners do not exist (never did, or went before it named them) is garbage: deleted when no owner
    /// lives, else stripped of the dangling references, as upstream's attemptToDeleteItem does. Owners of kinds this
    /// server does not serve cannot be verified and leave the object alone.
    /// </summary>
    private void CollectIfOwnersAbsent(StoredObject obj)
    {
        if (obj.Object.Metadata()["deletionTimestamp"] is not null)
        {
            return;
        }
        var absent = new List<string>();
        var live = false;
        foreach (var r in OwnerRefs(obj.Object))
        {
            var gvk = GroupVersionKind.FromApiVersion(r.GetString("apiVersion") ?? "", r.GetString("kind") ?? "");
            if (registry.FindKind(gvk.Group, gvk.Version, gvk.Kind) is null)
            {
                return;
            }
            if (Resolve(obj.Namespace, r) is null)
            {
                absent.Add(r.GetString("uid") ?? "");
            }
            else
            {
                live = true;
            }
        }
        if (absent.Count == 0)
        {
            return;
        }
        if (live)
        {
            foreach (var uid in absent)
            {
                lifecycle.Update(obj.StorageKey, obj.Namespace, obj.Name, o => RemoveOwnerReference(o, uid));
            }
            return;
        }
        lifecycle.DeleteLatest(obj.StorageKey, obj.Namespace, obj.Name, o =>
            o.Uid == obj.Uid && o.OwnerUids.SequenceEqual(obj.OwnerUids) && o.Object.Metadata()["deletionTimestamp"] is null ? "Background" : null);
    }

    private void Reconcile(StoredObject obj)
    {
        if (obj.Object.Metadata()["deletionTimestamp"] is null)
        {
            return;
        }
        var finalizers = obj.Object.Finalizers();
        if (finalizers.Contains(ObjectLifecycle.OrphanFinalizer))
        {
            foreach (var d in store.Dependents(obj.Uid).ToList())
            {
                lifecycle.Update(d.StorageKey, d.Namespace, d.Name, o => RemoveOwnerReference(o, obj.Uid));
            }
            RemoveFinalizer(obj, ObjectLifecycle.OrphanFinalizer);
        }
        else if (finalizers.Contains(ObjectLifecycle.ForegroundFinalizer))
        {
            CollectDependents(obj.Uid, "Foreground");
            // The owner waits only for dependents whose reference to it has blockOwnerDeletion; the others go their own way.
            if (!store.Dependents(obj.Uid).Any(d => BlocksOwnerDeletion(d, obj.Uid)))
            {
                RemoveFinalizer(obj, ObjectLifecycle.ForegroundFinalizer);
            }
        }
    }

    /// <summary>Deletes the dependents of a (departing) owner whose every other owner is gone too; drops dangling references otherwise.</summary>
    private void CollectDependents(string ownerUid, string propagation)
    {
        foreach (var d in store.Dependents(ownerUid).ToList())
        {
            var others = OwnerRefs(d.Object).Where(r => r.GetString("uid") != ownerUid).ToList();
            if (others.Any(r => Resolve(d.Namespace, r) is not null))
            {
                lifecycle.Update(d.StorageKey, d.Namespace, d.Name, o => RemoveOwnerReference(o, ownerUid));
                continue;
            }
            lifecycle.DeleteLatest(d.StorageKey, d.Namespace, d.Name, o =>
                o.Uid != d.Uid || !o.OwnerUids.Contains(ownerUid) ? null
                // Already going (its own finalizers or dependents hold it), as upstream's attemptToDeleteItem leaves it.
                : o.Object.Metadata()["deletionTimestamp"] is not null ? null
                // Upstream deletes in the foreground only dependents that have dependents of their own.
                : propagation == "Foreground" && store.Dependents(o.Uid).Any() ? "Foreground" : "Background");
        }
    }

    private IEnumerable<StoredObject> Owners(StoredObject dependent) =>
        OwnerRefs(dependent.Object).Select(r => Resolve(dependent.Namespace, r)).OfType<StoredObject>();

    /// <summary>The live owner an ownerReference names (same uid), or null.</summary>
    private StoredObject? Resolve(string ns, JsonObject ownerRef)
    {
        var gvk = GroupVersionKind.FromApiVersion(ownerRef.GetString("apiVersion") ?? "", ownerRef.GetString("kind") ?? "");
        var rt = registry.FindKind(gvk.Group, gvk.Version, gvk.Kind);
        if (rt is null)
        {
            return null;
        }
        var owner = store.Get(rt.StorageKey, rt.Namespaced ? ns : null, ownerRef.GetString("name") ?? "");
        return owner?.Uid == ownerRef.GetString("uid") ? owner : null;
    }

    private void RemoveFinalizer(StoredObject obj, string finalizer) =>
        lifecycle.Update(obj.StorageKey, obj.Namespace, obj.Name, o =>
        {
            var remaining = o.Finalizers().Where(f => f != finalizer).ToList();
            if (remaining.Count == o.Finalizers().Count)
            {
                return false;
            }
            o.Metadata()["finalizers"] = new JsonArray(remaining.Select(f => (JsonNode)f).ToArray());
            return true;
        });

    private static bool RemoveOwnerReference(JsonObject obj, string uid)
    {
        if (obj.Metadata()["ownerReferences"] is not JsonArray refs)
        {
            return false;
        }
        var kept = refs.OfType<JsonObject>().Where(r => r.GetString("uid") != uid).Select(r => r.DeepClone()).ToArray();
        if (kept.Length == refs.Count)
        {
            return false;
        }
        if (kept.Length == 0)
        {
            obj.Metadata().Remove("ownerReferences");
        }
        else
        {
            obj.Metadata()["ownerReferences"] = new JsonArray(kept);
        }
        return true;
    }

    private static bool BlocksOwnerDeletion(StoredObject dependent, string ownerUid) =>
        OwnerRefs(dependent.Object).Any(r => r.GetString("uid") == ownerUid
            && r["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var blocks) && blocks);

    private static IEnumerable<JsonObject> OwnerRefs(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
