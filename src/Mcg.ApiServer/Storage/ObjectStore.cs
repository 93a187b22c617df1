using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Mcg.ApiServer.Storage;

/// <summary>
/// All objects of the server: an in-memory index (immutable snapshots, so reads never lock) in front of SQLite,
/// one global resourceVersion counter, and a bounded history of changes that watches replay from.
/// Writes are serialised; each is durable before it is visible or announced. The history is bounded both in events and
/// in bytes of JSON (like etcd's compaction): every event holds a whole version of its object, so with a count alone a
/// busy fleet would keep every version of every object in memory.
/// </summary>
public sealed class ObjectStore : IDisposable
{
    private readonly SqliteBackend _backend;
    private readonly Lock _writeLock = new();
    private readonly int _historyCapacity;
    private readonly long _historyBytesCapacity;
    private long _historyBytes;
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private ImmutableDictionary<string, ImmutableSortedDictionary<string, StoredObject>> _buckets =
        ImmutableDictionary<string, ImmutableSortedDictionary<string, StoredObject>>.Empty;
    private ImmutableDictionary<string, ImmutableHashSet<(string StorageKey, string Key)>> _dependents =
        ImmutableDictionary<string, ImmutableHashSet<(string, string)>>.Empty;
    private long _resourceVersion;
    private long _compactedThrough;

    public const long DefaultHistoryBytes = 16L << 20;

    public ObjectStore(string databasePath, int historyCapacity = 100_000, long historyBytesCapacity = DefaultHistoryBytes)
    {
        _historyCapacity = historyCapacity;
        _historyBytesCapacity = historyBytesCapacity;
        _backend = new SqliteBackend(databasePath);
        _resourceVersion = _backend.LoadResourceVersion();
        foreach (var (storageKey, rv, json) in _backend.LoadObjects())
        {
            Index(new StoredObject(storageKey, json, rv), null);
        }
        // History starts empty: a watch from before this start gets 410, as after an etcd compaction.
        _compactedThrough = _resourceVersion;
    }

    public long ResourceVersion => Volatile.Read(ref _resourceVersion);

    /// <summary>The newest resourceVersion the watch history no longer covers (older ones get 410 Gone).</summary>
    public long CompactedThrough => Volatile.Read(ref _compactedThrough);

    /// <summary>Raised after each commit, outside the write lock (the in-process controllers subscribe here).</summary>
    public event Action<WatchEvent>? Committed;

    public StoredObject? Get(string storageKey, string? ns, string name) =>
        _buckets.TryGetValue(storageKey, out var bucket) && bucket.TryGetValue(StoredObject.KeyOf(ns, name), out var o) ? o : null;

    /// <summary>A consistent snapshot of one resource's objects (optionally one namespace), in key order.</summary>
    public (IEnumerable<StoredObject> Items, long ResourceVersion) List(string storageKey, string? ns)
    {
        long rv;
        ImmutableSortedDictionary<string, StoredObject>? bucket;
        lock (_writeLock)
        {
            rv = _resourceVersion;
            _buckets.TryGetValue(storageKey, out bucket);
        }
        if (bucket is null)
        {
            return ([], rv);
        }
        IEnumerable<StoredObject> items = bucket.Values;
        if (!string.IsNullOrEmpty(ns))
        {
            items = items.Where(o => o.Namespace == ns);
        }
        return (items, rv);
    }

    public IEnumerable<string> StorageKeys => _buckets.Keys;

    /// <summary>Objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public IEnumerable<StoredObject> Dependents(string ownerUid) =>
        _dependents.TryGetValue(ownerUid, out var set)
            ? set.Select(d => Get(d.StorageKey, null, d.Key)).OfType<StoredObject>()
            : [];

    /// <summary>
    /// Stores <paramref name="obj"/> (stamped with the new resourceVersion) if the stored object's resourceVersion still
    /// equals <paramref name="expectedRv"/> (0: must not exist; null: create or replace unconditionally). Returns what was stored.
    /// </summary>
    public StoredObject Put(string storageKey, JsonObject obj, long? expectedRv)
    {
        StoredObject stored;
        WatchEvent evt;
        lock (_writeLock)
        {
            var ns = obj["metadata"]?["namespace"]?.GetValue<string>();
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            var current = Get(storageKey, ns, name);
            Check(current, expectedRv);
            var rv = _resourceVersion + 1;
            obj["metadata"]!["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stored = new StoredObject(storageKey, obj, rv);
            _backend.Write(storageKey, stored.Key, rv, stored.Json);
            _resourceVersion = rv;
            Index(stored, current);
            evt = new WatchEvent(rv, current is null ? WatchEventType.Added : WatchEventType.Modified, stored, current);
            Announce(evt);
        }
        Committed?.Invoke(evt);
        return stored;
    }

    /// <summary>Removes the object if its resourceVersion still equals <paramref name="expectedRv"/>; returns the final state.</summary>
    public StoredObject Delete(string storageKey, string? ns, string name, long expectedRv)
    {
        WatchEvent evt;
        StoredObject final;
        lock (_writeLock)
        {
            var current = Get(storageKey, ns, name);
            Check(current, expectedRv);
            var rv = _resourceVersion + 1;
            var obj = current!.Clone();
            obj["metadata"]!["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
            final = new StoredObject(storageKey, obj, rv);
            _backend.Write(storageKey, current.Key, rv, null);
            _resourceVersion = rv;
            Unindex(current);
            evt = new WatchEvent(rv, WatchEventType.Deleted, final, current);
            Announce(evt);
        }
        Committed?.Invoke(evt);
        return final;
    }

    /// <summary>
    /// Starts a watch on one resource (null: all) from <paramref name="fromRv"/>: every change after it, exactly once and
    /// in order. With <paramref name="initial"/> the current objects come first as ADDED events. Throws
    /// <see cref="ResourceVersionTooOldException"/> when the history no longer reaches back to <paramref name="fromRv"/>.
    /// </summary>
    public Watcher Watch(string? storageKey, string? ns, long fromRv, bool initial)
    {
        var watcher = new Watcher(this, storageKey, ns);
        lock (_writeLock)
        {
            watcher.StartResourceVersion = initial ? _resourceVersion : fromRv;
            if (initial)
            {
                var (items, rv) = List(storageKey!, ns);
                foreach (var o in items)
                {
                    watcher.Offer(new WatchEvent(o.ResourceVersion, WatchEventType.Added, o, null));
                    watcher.InitialCount++;
                }
                fromRv = rv;
            }
            else if (fromRv < _compactedThrough)
            {
                throw new ResourceVersionTooOldException(fromRv, _compactedThrough);
            }
            foreach (var e in _history)
            {
                if (e.ResourceVersion > fromRv)
                {
                    watcher.Offer(e);
                }
            }
            _watchers.Add(watcher);
        }
        return watcher;
    }

    public int WatcherCount
    {
        get
        {
            lock (_writeLock)
            {
                return _watchers.Count;
            }
        }
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            foreach (var w in _watchers)
            {
                w.Complete();
            }
            _watchers.Clear();
            _backend.Dispose();
        }
    }

    internal void Remove(Watcher watcher)
    {
        lock (_writeLock)
        {
            _watchers.Remove(watcher);
        }
    }

    private static void Check(StoredObject? current, long? expectedRv)
    {
        switch (expectedRv)
        {
            case 0 when current is not null:
                throw new StorageConflictException("already exists");
            case > 0 when current is null:
                throw new StorageConflictException("not found");
            case > 0 when current!.ResourceVersion != expectedRv:
                throw new StorageConflictException("modified");
        }
    }

    private void Announce(WatchEvent evt)
    {
        _history.Enqueue(evt);
        _historyBytes += evt.Object.Json.Length;
        while (_history.Count > _historyCapacity || (_historyBytes > _historyBytesCapacity && _history.Count > 1))
        {
            var dropped = _history.Dequeue();
            _historyBytes -= dropped.Object.Json.Length;
            _compactedThrough = dropped.ResourceVersion;
        }
        foreach (var w in _watchers)
        {
            w.Offer(evt);
        }
    }

    private void Index(StoredObject stored, StoredObject? previous)
    {
        var bucket = _buckets.TryGetValue(stored.StorageKey, out var b) ? b : ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);
        _buckets = _buckets.SetItem(stored.StorageKey, bucket.SetItem(stored.Key, stored));
        if (previous is not null && !previous.OwnerUids.SequenceEqual(stored.OwnerUids))
        {
            RemoveDependent(previous);
        }
        foreach (var uid in stored.OwnerUids)
        {
            var set = _dependents.TryGetValue(uid, out var s) ? s : [];
            _dependents = _dependents.SetItem(uid, set.Add((stored.StorageKey, stored.Key)));
        }
    }

    private void Unindex(StoredObject stored)
    {
        if (_buckets.TryGetValue(stored.StorageKey, out var bucket))
        {
            _buckets = _buckets.SetItem(stored.StorageKey, bucket.Remove(stored.Key));
        }
        RemoveDependent(stored);
    }

    private void RemoveDependent(StoredObject stored)
    {
        foreach (var uid in stored.OwnerUids)
        {
            if (_dependents.TryGetValue(uid, out var set))
            {
                set = set.Remove((stored.StorageKey, stored.Key));
                _dependents = set.IsEmpty ? _dependents.Remove(uid) : _dependents.SetItem(uid, set);
            }
        }
    }
}

/// <summary>One watch's queue of events; read with <see cref="ReadAllAsync"/>, dispose to stop.</summary>
public sealed class Watcher : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<WatchEvent> _channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    internal Watcher(ObjectStore store, string? storageKey, string? ns)
    {
        _store = store;
        StorageKey = storageKey;
        Namespace = ns;
    }

    public string? StorageKey { get; }
    public string? Namespace { get; }

    /// <summary>How many synthetic ADDED events (the current objects) come first.</summary>
    public int InitialCount { get; internal set; }

    /// <summary>The resourceVersion the watch starts after (with initial events: the one they show).</summary>
    public long StartResourceVersion { get; internal set; }

    public IAsyncEnumerable<WatchEvent> ReadAllAsync(CancellationToken ct) => _channel.Reader.ReadAllAsync(ct);

    public ChannelReader<WatchEvent> Reader => _channel.Reader;

    public void Dispose()
    {
        _store.Remove(this);
        _channel.Writer.TryComplete();
    }

    internal void Complete() => _channel.Writer.TryComplete();

    internal void Offer(WatchEvent evt)
    {
        if ((StorageKey is null || evt.StorageKey == StorageKey) && (string.IsNullOrEmpty(Namespace) || evt.Object.Namespace == Namespace))
        {
            _channel.Writer.TryWrite(evt);
        }
    }
}
