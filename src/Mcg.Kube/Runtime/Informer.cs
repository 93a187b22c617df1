using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Kube.Runtime;

public sealed class InformerOptions
{
    /// <summary>Only this namespace (null: all namespaces, or a cluster-scoped resource).</summary>
    public string? Namespace { get; set; }
    public string? LabelSelector { get; set; }
    public string? FieldSelector { get; set; }

    /// <summary>How often every cached object is re-delivered as an update; zero disables resync.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Backoff before re-listing after a failure, doubling up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(800);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Server-side watch timeout; each watch uses a random value between this and twice this.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Applied to every listed or watched object before it is cached and handed to handlers (client-go's
    /// TransformFunc): keeps only what the informer's users read, since a parsed object costs about ten times its
    /// JSON and a hub caches thousands. It may change the object it gets; metadata name, namespace and
    /// resourceVersion must stay.
    /// </summary>
    public Func<JsonObject, JsonObject>? Transform { get; set; }
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>
/// Keeps a cache of one resource (optionally one namespace / label selection) in sync by list + watch, and notifies
/// handlers of changes. A watch that ends normally is resumed from the last seen resourceVersion; a 410 Expired, a
/// failed or immediately-closed watch, or a failed list leads to a full re-list (after a backoff), whose differences
/// to the cache are delivered as adds, updates and deletes. Run it with <see cref="RunAsync"/>.
/// </summary>
public sealed class Informer
{
    private static readonly TimeSpan ShortWatch = TimeSpan.FromSeconds(1);

    private readonly IKubeClient _client;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _cacheLock = new();
    private readonly object _dispatchLock = new(); // serializes cache changes + notifications and handler registration
    private readonly List<IInformerEventHandler> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, JsonObject> _items = new(StringComparer.Ordinal);
    private string _resourceVersion = "";
    private int _failures;
    private int _started;

    public Informer(IKubeClient client, ResourceRef resource, InformerOptions? options = null, ILogger<Informer>? logger = null)
    {
        _client = client;
        Resource = resource;
        _options = options ?? new InformerOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public ResourceRef Resource { get; }

    /// <summary>True once the first list has been stored in the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache is up to date with.</summary>
    public string LastSyncResourceVersion
    {
        get
        {
            lock (_cacheLock)
            {
                return _resourceVersion;
            }
        }
    }

    public Task WaitForSyncAsync(CancellationToken ct = default) => _synced.Task.WaitAsync(ct);

    /// <summary>A snapshot of the cached objects (shared instances: do not modify).</summary>
    public IReadOnlyCollection<JsonObject> List()
    {
        lock (_cacheLock)
        {
            return [.. _items.Values];
        }
    }

    public JsonObject? Get(string? ns, string name) => GetByKey(ObjectKeys.KeyOf(ns, name));

    public JsonObject? GetByKey(string key)
    {
        lock (_cacheLock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>Registers a handler; it is first told about every object already cached (as added).</summary>
    public void AddEventHandler(IInformerEventHandler handler)
    {
        lock (_dispatchLock)
        {
            _handlers.Add(handler);
            foreach (var obj in List())
            {
                Notify(handler, h => h.OnAdded(obj));
            }
        }
    }

    /// <summary>Lists and watches until <paramref name="ct"/> is cancelled (then returns normally). Runs once per informer.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the informer is already running");
        }
        var resync = _options.ResyncPeriod > TimeSpan.Zero ? ResyncLoopAsync(ct) : Task.CompletedTask;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await ListAndWatchAsync(ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (ResourceVersionExpiredException ex)
                {
                    _logger.LogInformation("Watch of {Resource} expired ({Message}); re-listing", Resource, ex.Message);
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(ex, "List/watch of {Resource} failed; re-listing after backoff", Resource);
                }
                var delay = Backoff(++_failures);
                try
                {
                    await Task.Delay(delay, _options.TimeProvider, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            await resync;
        }
    }

    private async Task ListAndWatchAsync(CancellationToken ct)
    {
        var list = await _client.ListAsync(Resource, _options.Namespace,
            new ListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector }, ct);
        Replace(list.Items, list.ResourceVersion);
        _synced.TrySetResult();
        var resourceVersion = list.ResourceVersion;
        while (true)
        {
            var started = _options.TimeProvider.GetTimestamp();
            var events = 0;
            var watchOptions = new WatchOptions
            {
                ResourceVersion = resourceVersion,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                AllowWatchBookmarks = true,
                TimeoutSeconds = (int)(_options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble())),
            };
            await foreach (var (type, watched) in _client.WatchAsync(Resource, _options.Namespace, watchOptions, ct))
            {
                events++;
                _failures = 0;
                var obj = Prepare(watched);
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        Upsert(obj);
                        break;
                    case WatchEventType.Deleted:
                        Remove(obj);
                        break;
                }
                resourceVersion = obj.ResourceVersion() ?? resourceVersion;
                lock (_cacheLock)
                {
                    _resourceVersion = resourceVersion;
                }
            }
            if (events == 0 && _options.TimeProvider.GetElapsedTime(started) < ShortWatch)
            {
                throw new InvalidOperationException("the watch closed immediately without events");
            }
            _failures = 0;
            _logger.LogDebug("Watch of {Resource} ended; resuming from {ResourceVersion}", Resource, resourceVersion);
        }
    }

    private void Replace(IReadOnlyList<JsonObject> items, string resourceVersion)
    {
        var fresh = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var obj = Prepare(item);
            fresh[ObjectKeys.KeyOf(obj)] = obj;
        }
        lock (_dispatchLock)
        {
            Dictionary<string, JsonObject> old;
            lock (_cacheLock)
            {
                old = _items;
                _items = fresh;
                _resourceVersion = resourceVersion;
            }
            foreach (var (key, obj) in fresh)
            {
                if (!old.TryGetValue(key, out var previous))
                {
                    NotifyAll(h => h.OnAdded(obj));
                }
                else if (previous.ResourceVersion() != obj.ResourceVersion())
                {
                    NotifyAll(h => h.OnUpdated(previous, obj));
                }
            }
            foreach (var (key, obj) in old)
            {
                if (!fresh.ContainsKey(key))
                {
                    NotifyAll(h => h.OnDeleted(obj));
                }
            }
        }
        _logger.LogDebug("Listed {Count} {Resource} at resourceVersion {ResourceVersion}", items.Count, Resource, resourceVersion);
    }

    private JsonObject Prepare(JsonObject obj) => (_options.Transform is { } transform ? transform(obj) : obj).Materialize();

    private void Upsert(JsonObject obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_dispatchLock)
        {
            JsonObject? previous;
            lock (_cacheLock)
            {
                previous = _items.GetValueOrDefault(key);
                _items[key] = obj;
            }
            if (previous is null)
            {
                NotifyAll(h => h.OnAdded(obj));
            }
            else
            {
                NotifyAll(h => h.OnUpdated(previous, obj));
            }
        }
    }

    private void Remove(JsonObject obj)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_dispatchLock)
        {
            lock (_cacheLock)
            {
                _items.Remove(key);
            }
            NotifyAll(h => h.OnDeleted(obj));
        }
    }

    private async Task ResyncLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.ResyncPeriod, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (!HasSynced)
                {
                    continue;
                }
                lock (_dispatchLock)
                {
                    foreach (var obj in List())
                    {
                        NotifyAll(h => h.OnUpdated(obj, obj));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private void NotifyAll(Action<IInformerEventHandler> action)
    {
        foreach (var handler in _handlers)
        {
            Notify(handler, action);
        }
    }

    private void Notify(IInformerEventHandler handler, Action<IInformerEventHandler> action)
    {
        try
        {
            action(handler);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "An event handler of the {Resource} informer failed", Resource);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ticks = _options.MinBackoff.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return ticks >= _options.MaxBackoff.Ticks ? _options.MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }
}
