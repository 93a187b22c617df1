using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Watches the managed cluster's resources that policies' object templates concern. Each policy declares its
/// resources with <see cref="SetInterest"/>; a resource is watched (by an informer) while some policy is interested in
/// it, and every change after the informer's first list is reported with the policies interested in the resource.
/// </summary>
public sealed class ManagedObjectWatcher : IAsyncDisposable
{
    private readonly IKubeClient _managed;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyCollection<string>> _onChange;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<ResourceRef>> _interests = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceRef, (CancellationTokenSource Stop, Task Run)> _watches = [];
    private CancellationToken _stopping;
    private bool _disposed;

    /// <param name="onChange">Called (from an informer's dispatch: keep it quick) with the keys of the policies interested in a changed object.</param>
    public ManagedObjectWatcher(IKubeClient managed, ILoggerFactory loggers, Action<IReadOnlyCollection<string>> onChange)
    {
        _managed = managed;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ManagedObjectWatcher>();
        _onChange = onChange;
    }

    /// <summary>Stops all watches when <paramref name="ct"/> is cancelled (watches started before are stopped as well).</summary>
    public void Start(CancellationToken ct)
    {
        lock (_lock)
        {
            _stopping = ct;
        }
    }

    /// <summary>The resources currently watched.</summary>
    public IReadOnlyCollection<ResourceRef> Watched
    {
        get
        {
            lock (_lock)
            {
                return [.. _watches.Keys];
            }
        }
    }

    /// <summary>Replaces a policy's resources of interest (empty: none).</summary>
    public void SetInterest(string policyKey, IReadOnlySet<ResourceRef> resources)
    {
        var stopped = new List<(CancellationTokenSource, Task)>();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            if (resources.Count == 0)
            {
                _interests.Remove(policyKey);
            }
            else
            {
                _interests[policyKey] = [.. resources];
            }
            var wanted = _interests.Values.SelectMany(r => r).ToHashSet();
            foreach (var resource in wanted.Where(r => !_watches.ContainsKey(r)))
            {
                _watches[resource] = StartWatch(resource);
            }
            foreach (var resource in _watches.Keys.Where(r => !wanted.Contains(r)).ToList())
            {
                stopped.Add(_watches[resource]);
                _watches.Remove(resource);
                _logger.LogDebug("No longer watching {Resource}", resource);
            }
        }
        foreach (var (stop, _) in stopped)
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<(CancellationTokenSource Stop, Task Run)> watches;
        lock (_lock)
        {
            _disposed = true;
            watches = [.. _watches.Values];
            _watches.Clear();
            _interests.Clear();
        }
        foreach (var (stop, _) in watches)
        {
            await stop.CancelAsync();
        }
        await Task.WhenAll(watches.Select(w => w.Run));
        foreach (var (stop, _) in watches)
        {
            stop.Dispose();
        }
    }

    // Under the lock.
    private (CancellationTokenSource, Task) StartWatch(ResourceRef resource)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var informer = new Informer(_managed, resource, new InformerOptions(), _loggers.CreateLogger<Informer>());
        informer.AddEventHandler(new InformerEventHandler
        {
            Added = obj => Changed(informer, obj),
            Updated = (_, obj) => Changed(informer, obj),
            Deleted = obj => Changed(informer, obj),
        });
        _logger.LogDebug("Watching {Resource}", resource);
        var token = stop.Token;
        var run = Task.Run(async () =>
        {
            try
            {
                await informer.RunAsync(token);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "The watch of {Resource} stopped", resource);
            }
        }, CancellationToken.None);
        return (stop, run);
    }

    private void Changed(Informer informer, JsonObject obj)
    {
        if (!informer.HasSynced)
        {
            return; // the first list: nothing changed
        }
        List<string> keys;
        lock (_lock)
        {
            keys = _interests.Where(kv => kv.Value.Contains(informer.Resource)).Select(kv => kv.Key).ToList();
        }
        if (keys.Count > 0)
        {
            _onChange(keys);
        }
    }
}
