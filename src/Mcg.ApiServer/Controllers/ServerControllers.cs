using System.Threading.Channels;
using Mcg.ApiServer.Storage;
using Microsoft.Extensions.Logging;

namespace Mcg.ApiServer.Controllers;

/// <summary>
/// Runs the in-server controllers (garbage collection, namespace cleanup) on one background loop fed by the store's
/// commits, so API requests never wait for them. CRD registration runs inline (see <see cref="CrdController"/>).
/// </summary>
public sealed class ServerControllers : IAsyncDisposable
{
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GarbageCollector _gc;
    private readonly NamespaceController _namespaces;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public ServerControllers(ObjectStore store, GarbageCollector gc, NamespaceController namespaces, ILogger<ServerControllers> logger)
    {
        _gc = gc;
        _namespaces = namespaces;
        _logger = logger;
        store.Committed += e => _events.Writer.TryWrite(e);
        // Finish what a previous run left half-done: terminating namespaces, objects being deleted (owners waiting on
        // dependents, orphaning), and dependents whose owners went while the collector could not see it (as upstream's
        // garbage collector, which builds its graph of every object when it starts).
        foreach (var key in store.StorageKeys.ToList())
        {
            foreach (var o in store.List(key, null).Items)
            {
                if (o.StorageKey == "/namespaces")
                {
                    _events.Writer.TryWrite(new WatchEvent(o.ResourceVersion, WatchEventType.Modified, o, o));
                }
                else if (o.OwnerUids.Count > 0 || o.Object["metadata"]?["deletionTimestamp"] is not null)
                {
                    _events.Writer.TryWrite(new WatchEvent(o.ResourceVersion, WatchEventType.Modified, o, null));
                }
            }
        }
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var evt in _events.Reader.ReadAllAsync())
        {
            try
            {
                _gc.OnEvent(evt);
                if (evt.StorageKey == "/namespaces")
                {
                    _namespaces.Reconcile(evt.Object.Name);
                }
                else if (evt.Type == WatchEventType.Deleted && evt.Object.Namespace.Length > 0)
                {
                    _namespaces.Reconcile(evt.Object.Namespace);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "server controller failed on {Kind} {Key}", evt.StorageKey, evt.Object.Key);
            }
        }
    }
}
