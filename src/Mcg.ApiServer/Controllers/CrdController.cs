using System.Text.Json.Nodes;
using Mcg.ApiServer.Http;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Controllers;

/// <summary>
/// Serves what each CustomResourceDefinition defines, marks it Established, and on its deletion removes every custom
/// resource of it before letting the CRD go (the customresourcecleanup finalizer's job upstream).
/// </summary>
public sealed class CrdController(ObjectStore store, ObjectLifecycle lifecycle, ResourceRegistry registry, TimeProvider clock)
{
    public const string StorageKey = "apiextensions.k8s.io/customresourcedefinitions";
    private const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    /// <summary>Registers the CRDs found in the store at start.</summary>
    public void LoadExisting()
    {
        foreach (var crd in store.List(StorageKey, null).Items)
        {
            TryRegister(crd.Name, crd.Object);
        }
    }

    /// <summary>Runs synchronously on the writer's thread so a CR can be created right after its CRD's create returns.</summary>
    public void OnCommitted(WatchEvent evt)
    {
        if (evt.StorageKey != StorageKey)
        {
            return;
        }
        var crd = evt.Object;
        if (evt.Type == WatchEventType.Deleted)
        {
            registry.SetCustomResource(crd.Name, null);
            return;
        }
        if (crd.Object.Metadata()["deletionTimestamp"] is not null)
        {
            Cleanup(crd);
            return;
        }
        if (!TryRegister(crd.Name, crd.Object))
        {
            return;
        }
        lifecycle.Update(StorageKey, "", crd.Name, obj =>
        {
            var spec = obj["spec"] as JsonObject;
            var finalizers = obj.Finalizers();
            var accepted = spec?["names"]?.DeepClone();
            var status = obj["status"] as JsonObject;
            if (finalizers.Contains(CleanupFinalizer) && status?["conditions"] is JsonArray { Count: > 0 } && JsonNode.DeepEquals(status["acceptedNames"], accepted))
            {
                return false;
            }
            if (!finalizers.Contains(CleanupFinalizer))
            {
                obj.Metadata()["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f), CleanupFinalizer]);
            }
            var now = ObjectRules.Timestamp(clock.GetUtcNow());
            obj["status"] = new JsonObject
            {
                ["acceptedNames"] = accepted,
                ["storedVersions"] = new JsonArray((spec?["versions"] as JsonArray)?.Where(v => v?["storage"]?.GetValue<bool>() == true)
                    .Select(v => (JsonNode)v!["name"]!.GetValue<string>()).ToArray() ?? []),
                ["conditions"] = new JsonArray(
                    Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                    Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
            };
            return true;
        });
    }

    private bool TryRegister(string name, JsonObject crd)
    {
        try
        {
            registry.SetCustomResource(name, crd);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private void Cleanup(StoredObject crd)
    {
        var group = crd.Object["spec"]?["group"]?.GetValue<string>() ?? "";
        var plural = crd.Object["spec"]?["names"]?["plural"]?.GetValue<string>() ?? "";
        var key = $"{group}/{plural}";
        foreach (var o in store.List(key, null).Items.ToList())
        {
            // Custom resources go with their definition, finalizers or not, as upstream's cleanup does (re-read when one
            // changed meanwhile, or it would outlive its type).
            for (var attempt = 0; attempt < 32 && store.Get(key, o.Namespace, o.Name) is { } current; attempt++)
            {
                try
                {
                    store.Delete(key, current.Namespace, current.Name, current.ResourceVersion);
                    break;
                }
                catch (StorageConflictException)
                {
                }
            }
        }
        lifecycle.Update(StorageKey, "", crd.Name, obj =>
        {
            var remaining = obj.Finalizers().Where(f => f != CleanupFinalizer).ToList();
            if (remaining.Count == obj.Finalizers().Count)
            {
                return false;
            }
            obj.Metadata()["finalizers"] = new JsonArray(remaining.Select(f => (JsonNode)f).ToArray());
            return true;
        });
    }

    private static JsonObject Condition(string type, string reason, string message, string time) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = time,
        ["reason"] = reason,
        ["message"] = message,
    };
}
