using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Patching;

namespace Mcg.Bench;

/// <summary>
/// A managed cluster reduced to an in-memory object store, for the fleet fan-out benchmark: enough of the API for a
/// work agent (resolve, get, list, apply, create, merge patch, delete; watches that stay silent). The hub side stays
/// real: the agents talk to the hub process over HTTPS. Records when each ConfigMap value first arrived.
/// </summary>
public sealed class InMemoryCluster : IKubeClient
{
    private static readonly ResourceRef[] Served = [ResourceRef.Namespaces, ResourceRef.ConfigMaps, ResourceRef.Secrets, ResourceRef.CustomResourceDefinitions, OcmCrds.AppliedManifestWorks];

    private readonly ConcurrentDictionary<(string Resource, string Ns, string Name), JsonObject> _objects = new();
    private long _version;

    /// <summary>Raised after a ConfigMap was written, with its data.</summary>
    public event Action<JsonObject>? ConfigMapWritten;

    public Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct = default) =>
        Served.FirstOrDefault(r => r.Group == gvk.Group && r.Kind == gvk.Kind) is { } r ? Task.FromResult(r) : throw new NoKindMatchException(gvk);

    public Task<JsonObject?> GetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct = default) =>
        Task.FromResult(_objects.TryGetValue(Key(resource, ns, name), out var o) ? (JsonObject?)o.DeepClone() : null);

    public Task<ObjectList> ListAsync(ResourceRef resource, string? ns, ListOptions? options = null, CancellationToken ct = default) =>
        Task.FromResult(new ObjectList(_objects.Where(p => p.Key.Resource == resource.Resource && (ns is null || p.Key.Ns == ns)).Select(p => (JsonObject)p.Value.DeepClone()).ToList(),
            Interlocked.Read(ref _version).ToString(CultureInfo.InvariantCulture)));

    /// <summary>Nothing changes behind the agent's back here, so a watch only waits to be cancelled.</summary>
    public async IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(ResourceRef resource, string? ns, WatchOptions? options = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        yield break;
    }

    public Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
    {
        var key = Key(resource, obj.Namespace(), obj.Name()!);
        var stored = Stamp(resource, (JsonObject)obj.DeepClone(), null);
        if (!_objects.TryAdd(key, stored))
        {
            throw new KubeApiException(409, new ApiStatus(409, "AlreadyExists", $"{resource.Resource} \"{obj.Name()}\" already exists", null));
        }
        return Task.FromResult((JsonObject)stored.DeepClone());
    }

    public Task<JsonObject> UpdateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) => Put(resource, obj);

    public Task<JsonObject> UpdateStatusAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) => Put(resource, obj);

    public Task<JsonObject> PatchAsync(ResourceRef resource, string? ns, string name, PatchType type, JsonNode patch, PatchOptions? options = null, CancellationToken ct = default)
    {
        var key = Key(resource, ns, name);
        if (!_objects.TryGetValue(key, out var current))
        {
            throw NotFound(resource, name);
        }
        var patched = (JsonObject)JsonMergePatch.Apply(current.DeepClone(), patch)!;
        return Put(resource, patched);
    }

    /// <summary>Apply as a whole-object replace of the fields given (one field manager per object here).</summary>
    public Task<JsonObject> ApplyAsync(ResourceRef resource, JsonObject obj, ApplyOptions options, CancellationToken ct = default)
    {
        var copy = (JsonObject)obj.DeepClone();
        if (resource == ResourceRef.CustomResourceDefinitions)
        {
            copy["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Established", ["status"] = "True" }) };
        }
        return Put(resource, copy);
    }

    public Task<bool> DeleteAsync(ResourceRef resource, string? ns, string name, DeleteOptions? options = null, CancellationToken ct = default) =>
        Task.FromResult(_objects.TryRemove(Key(resource, ns, name), out _));

    private Task<JsonObject> Put(ResourceRef resource, JsonObject obj)
    {
        var key = Key(resource, obj.Namespace(), obj.Name()!);
        _objects.TryGetValue(key, out var previous);
        var stored = Stamp(resource, obj, previous);
        _objects[key] = stored;
        if (resource == ResourceRef.ConfigMaps)
        {
            ConfigMapWritten?.Invoke(stored);
        }
        return Task.FromResult((JsonObject)stored.DeepClone());
    }

    private JsonObject Stamp(ResourceRef resource, JsonObject obj, JsonObject? previous)
    {
        var meta = obj.Metadata();
        meta["uid"] = previous?.Uid() ?? meta.GetString("uid") ?? Guid.NewGuid().ToString();
        meta["resourceVersion"] = Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
        if (!resource.Namespaced)
        {
            meta.Remove("namespace");
        }
        return obj;
    }

    private static (string, string, string) Key(ResourceRef resource, string? ns, string name) => (resource.Resource, resource.Namespaced ? ns ?? "" : "", name);

    private static KubeApiException NotFound(ResourceRef resource, string name) =>
        new(404, new ApiStatus(404, "NotFound", $"{resource.Resource} \"{name}\" not found", null));
}
