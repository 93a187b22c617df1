using System.Text.Json.Nodes;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Controllers;

/// <summary>Empties a terminating namespace, then removes its <c>kubernetes</c> finalizer so the namespace goes.</summary>
public sealed class NamespaceController(ObjectStore store, ObjectLifecycle lifecycle, ResourceRegistry registry)
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
                if (o.Object.Metadata()["deletionTimestamp"] is not null)
                {
                    continue;
                }
                try
                {
                    lifecycle.Delete(o, "Background", dryRun: false);
                }
                catch (StorageConflictException)
                {
                }
            }
        }
        if (registry.All.Where(r => r.Namespaced).Select(r => r.StorageKey).Distinct().Any(k => store.List(k, ns).Items.Any()))
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
}
