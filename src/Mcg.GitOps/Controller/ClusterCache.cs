using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.GitOps.Controller;

/// <summary>
/// The live state of a cluster, as gitops-engine's cluster cache: one informer per resource kind an application
/// touches, shared by all applications. A change to an object that carries a tracking id is reported at once, which
/// is how drift reaches its application within a second.
/// </summary>
public sealed class ClusterCache(IKubeClient client, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ResourceRef, Lazy<Task<Informer>>> _informers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    /// <summary>Raised with the application name of a tracked object that was added, changed or deleted.</summary>
    public event Action<string>? TrackedObjectChanged;

    public IKubeClient Client => client;

    public Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct) => client.ResolveAsync(gvk, ct);

    /// <summary>Starts watching a kind cluster-wide (once) and waits until its cache is filled.</summary>
    public async Task EnsureWatchingAsync(ResourceRef resource, CancellationToken ct)
    {
        var informer = await _informers.GetOrAdd(resource, r => new Lazy<Task<Informer>>(() => StartAsync(r))).Value;
        await informer.WaitForSyncAsync(ct);
    }

    public JsonObject? Get(ResourceRef resource, string? ns, string name) =>
        _informers.TryGetValue(resource, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
            ? lazy.Value.Result.Get(resource.Namespaced ? ns : null, name)
            : null;

    /// <summary>Every cached object whose tracking id names <paramref name="appName"/>.</summary>
    public IEnumerable<(ResourceRef Resource, JsonObject Object)> ManagedBy(string appName)
    {
        foreach (var (resource, lazy) in _informers)
        {
            if (!lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully)
            {
                continue;
            }
            foreach (var obj in lazy.Value.Result.List())
            {
                if (ResourceTracking.IsManagedBy(obj, appName))
                {
                    yield return (resource, obj);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_runs);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private Task<Informer> StartAsync(ResourceRef resource)
    {
        var informer = new Informer(client, resource, new InformerOptions(), loggers.CreateLogger<Informer>());
        informer.AddEventHandler(new InformerEventHandler
        {
            Added = Notify,
            Updated = (old, current) =>
            {
                Notify(current);
                if (ResourceTracking.OwnerOf(old) is { } previous && previous != ResourceTracking.OwnerOf(current))
                {
                    TrackedObjectChanged?.Invoke(previous);
                }
            },
            Deleted = Notify,
        });
        lock (_runs)
        {
            _runs.Add(Task.Run(() => informer.RunAsync(_stop.Token)));
        }
        return Task.FromResult(informer);
    }

    private void Notify(JsonObject obj)
    {
        if (ResourceTracking.OwnerOf(obj) is { } app)
        {
            TrackedObjectChanged?.Invoke(app);
        }
    }
}
