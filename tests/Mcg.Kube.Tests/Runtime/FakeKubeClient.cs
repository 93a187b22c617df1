using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Tests.Runtime;

/// <summary>
/// An in-memory <see cref="IKubeClient"/>: one global resourceVersion counter, an event history that watches replay
/// from their resourceVersion, <see cref="Compact"/> to make older resourceVersions expire (410), optimistic
/// concurrency on update, and fault injection per verb.
/// </summary>
public sealed class FakeKubeClient : IKubeClient
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ResourceRef Resource, string Ns, string Name), JsonObject> _objects = [];
    private readonly List<(long Rv, ResourceRef Resource, WatchEventType Type, JsonObject Obj)> _history = [];
    private readonly List<Watcher> _watchers = [];
    private long _rv = 100;
    private long _compactedRv;

    public List<ResourceRef> Resources { get; } = [ResourceRef.ConfigMaps, ResourceRef.Leases, ResourceRef.Namespaces];

    /// <summary>Called with the verb ("get", "list", "watch", "create", "update", ...) before each call; an exception it returns is thrown.</summary>
    public Func<string, Exception?>? Fault { get; set; }

    public int ListCalls;
    public int WatchCalls;

    public string CurrentResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _rv.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    public int ActiveWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct = default) =>
        Resources.FirstOrDefault(r => r.Gvk == gvk) is { } r ? Task.FromResult(r) : throw new NoKindMatchException(gvk);

    public Task<JsonObject?> GetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct = default)
    {
        Check("get");
        lock (_lock)
        {
            return Task.FromResult(_objects.TryGetValue(Key(resource, ns, name), out var o) ? (JsonObject)o.DeepClone() : null);
        }
    }

    public Task<ObjectList> ListAsync(ResourceRef resource, string? ns, ListOptions? options = null, CancellationToken ct = default)
    {
        Interlocked.Increment(ref ListCalls);
        Check("list");
        lock (_lock)
        {
            var items = _objects.Where(kv => kv.Key.Resource == resource && Matches(kv.Value, ns, options?.LabelSelector))
                .Select(kv => (JsonObject)kv.Value.DeepClone()).ToList();
            return Task.FromResult(new ObjectList(items, _rv.ToString(CultureInfo.InvariantCulture)));
        }
    }

    public async IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(ResourceRef resource, string? ns,
        WatchOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        Interlocked.Increment(ref WatchCalls);
        Check("watch");
        var watcher = new Watcher(resource, ns, options?.LabelSelector);
        lock (_lock)
        {
            var from = string.IsNullOrEmpty(options?.ResourceVersion) ? _rv : long.Parse(options.ResourceVersion, CultureInfo.InvariantCulture);
            if (from < _compactedRv)
            {
                throw Expired();
            }
            foreach (var h in _history.Where(h => h.Rv > from && h.Resource == resource))
            {
                watcher.Offer(h.Type, h.Obj);
            }
            _watchers.Add(watcher);
        }
        try
        {
            await foreach (var ev in watcher.Channel.Reader.ReadAllAsync(ct))
            {
                yield return ev;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    public Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
    {
        Check("create");
        lock (_lock)
        {
            var key = Key(resource, obj.Namespace(), obj.Name()!);
            if (_objects.ContainsKey(key))
            {
                throw new KubeApiException(409, new ApiStatus(409, "AlreadyExists", $"{obj.Name()} already exists", null));
            }
            var stored = (JsonObject)obj.DeepClone();
            stored.Metadata()["uid"] = Guid.NewGuid().ToString();
            return Task.FromResult(Store(resource, key, stored, WatchEventType.Added));
        }
    }

    public Task<JsonObject> UpdateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
    {
        Check("update");
        lock (_lock)
        {
            var key = Key(resource, obj.Namespace(), obj.Name()!);
            var current = _objects.TryGetValue(key, out var c) ? c : throw NotFound(obj.Name()!);
            if (obj.ResourceVersion() is { } rv && rv != current.ResourceVersion())
            {
                throw new KubeApiException(409, new ApiStatus(409, "Conflict", "the object has been modified", null));
            }
            var stored = (JsonObject)obj.DeepClone();
            stored.Metadata()["uid"] = current.Uid();
            return Task.FromResult(Store(resource, key, stored, WatchEventType.Modified));
        }
    }

    public Task<JsonObject> UpdateStatusAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
    {
        Check("updatestatus");
        lock (_lock)
        {
            var key = Key(resource, obj.Namespace(), obj.Name()!);
            var stored = _objects.TryGetValue(key, out var c) ? (JsonObject)c.DeepClone() : throw NotFound(obj.Name()!);
            stored["status"] = obj["status"]?.DeepClone();
            return Task.FromResult(Store(resource, key, stored, WatchEventType.Modified));
        }
    }

    public Task<JsonObject> PatchAsync(ResourceRef resource, string? ns, string name, PatchType type, JsonNode patch,
        PatchOptions? options = null, CancellationToken ct = default)
    {
        Check("patch");
        if (type != PatchType.Merge)
        {
            throw new NotSupportedException("the fake client only merge-patches");
        }
        lock (_lock)
        {
            var key = Key(resource, ns, name);
            var stored = _objects.TryGetValue(key, out var c) ? (JsonObject)c.DeepClone() : throw NotFound(name);
            MergePatch(stored, (JsonObject)patch);
            return Task.FromResult(Store(resource, key, stored, WatchEventType.Modified));
        }
    }

    public async Task<JsonObject> ApplyAsync(ResourceRef resource, JsonObject obj, ApplyOptions options, CancellationToken ct = default)
    {
        Check("apply");
        return await GetAsync(resource, obj.Namespace(), obj.Name()!, ct) is null
            ? await CreateAsync(resource, obj, null, ct)
            : await PatchAsync(resource, obj.Namespace(), obj.Name()!, PatchType.Merge, obj, null, ct);
    }

    public Task<bool> DeleteAsync(ResourceRef resource, string? ns, string name, DeleteOptions? options = null, CancellationToken ct = default)
    {
        Check("delete");
        lock (_lock)
        {
            var key = Key(resource, ns, name);
            if (!_objects.Remove(key, out var removed))
            {
                return Task.FromResult(false);
            }
            removed = (JsonObject)removed.DeepClone();
            removed.Metadata()["resourceVersion"] = (++_rv).ToString(CultureInfo.InvariantCulture);
            Record(resource, WatchEventType.Deleted, removed);
            return Task.FromResult(true);
        }
    }

    /// <summary>Forgets the history: watches from a resourceVersion before the current one get 410; open watches get a 410 ERROR.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedRv = _rv;
            _history.Clear();
            foreach (var w in _watchers)
            {
                w.Channel.Writer.TryComplete(Expired());
            }
        }
    }

    /// <summary>Ends all open watch streams normally (as a server-side timeout does).</summary>
    public void CloseWatches()
    {
        lock (_lock)
        {
            foreach (var w in _watchers)
            {
                w.Channel.Writer.TryComplete();
            }
        }
    }

    public static JsonObject ConfigMap(string ns, string name, Dictionary<string, string>? labels = null, string? data = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = metadata,
            ["data"] = new JsonObject { ["value"] = data ?? "" },
        };
    }

    private JsonObject Store(ResourceRef resource, (ResourceRef, string, string) key, JsonObject stored, WatchEventType type)
    {
        stored.Metadata()["resourceVersion"] = (++_rv).ToString(CultureInfo.InvariantCulture);
        _objects[key] = stored;
        Record(resource, type, stored);
        return (JsonObject)stored.DeepClone();
    }

    private void Record(ResourceRef resource, WatchEventType type, JsonObject obj)
    {
        var snapshot = (JsonObject)obj.DeepClone();
        _history.Add((_rv, resource, type, snapshot));
        foreach (var w in _watchers.Where(w => w.Resource == resource))
        {
            w.Offer(type, snapshot);
        }
    }

    private void Check(string verb)
    {
        if (Fault?.Invoke(verb) is { } ex)
        {
            throw ex;
        }
    }

    private static (ResourceRef, string, string) Key(ResourceRef resource, string? ns, string name) =>
        (resource, resource.Namespaced ? ns ?? throw new ArgumentException("namespace required") : "", name);

    private static bool Matches(JsonObject obj, string? ns, string? labelSelector)
    {
        if (!string.IsNullOrEmpty(ns) && obj.Namespace() != ns)
        {
            return false;
        }
        if (string.IsNullOrEmpty(labelSelector))
        {
            return true;
        }
        var labels = obj.Labels();
        return labelSelector.Split(',').Select(term => term.Split('=', 2))
            .All(kv => labels.TryGetValue(kv[0].Trim(), out var v) && v == kv[1].Trim());
    }

    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject p && target[key] is JsonObject t)
            {
                MergePatch(t, p);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static KubeApiException NotFound(string name) => new(404, new ApiStatus(404, "NotFound", $"{name} not found", null));

    private static ResourceVersionExpiredException Expired() =>
        new(new ApiStatus(410, "Expired", "too old resource version", null));

    private sealed class Watcher(ResourceRef resource, string? ns, string? labelSelector)
    {
        public ResourceRef Resource { get; } = resource;
        public Channel<(WatchEventType, JsonObject)> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<(WatchEventType, JsonObject)>();

        public void Offer(WatchEventType type, JsonObject obj)
        {
            if (Matches(obj, ns, labelSelector))
            {
                Channel.Writer.TryWrite((type, (JsonObject)obj.DeepClone()));
            }
        }
    }
}
