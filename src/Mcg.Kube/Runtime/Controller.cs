using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Kube.Runtime;

/// <summary>What to do with a key after a reconcile that did not throw.</summary>
public readonly record struct ReconcileResult(bool Requeue = false, TimeSpan RequeueAfter = default)
{
    /// <summary>Done; the key's backoff is reset.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Retry with the key's rate-limited backoff.</summary>
    public static ReconcileResult RequeueNow => new(Requeue: true);

    /// <summary>Reconcile again after a fixed delay (the backoff is reset).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(RequeueAfter: delay);
}

public interface IReconciler
{
    /// <summary>Brings the object named by <paramref name="key"/> ("ns/name" or "name") to its desired state. Throwing retries with backoff.</summary>
    Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct);
}

public sealed class ControllerOptions
{
    /// <summary>Concurrent reconciles; one key is never reconciled twice at the same time.</summary>
    public int Workers { get; set; } = 1;
    public WorkQueueOptions Queue { get; set; } = new();
}

/// <summary>
/// Feeds keys of objects seen by informers into a <see cref="WorkQueue{T}"/> and runs workers that reconcile them.
/// The informers are not run by the controller (they can be shared): run them and the controller side by side; the
/// controller starts its workers once all watched informers have synced.
/// </summary>
public sealed class Controller
{
    private readonly IReconciler _reconciler;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly List<Informer> _informers = [];

    public Controller(string name, IReconciler reconciler, ControllerOptions? options = null, ILogger<Controller>? logger = null)
    {
        Name = name;
        _reconciler = reconciler;
        _options = options ?? new ControllerOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Queue = new WorkQueue<string>(_options.Queue, name: name);
    }

    public string Name { get; }
    public WorkQueue<string> Queue { get; }

    /// <summary>
    /// Enqueues keys for every add, update and delete the informer sees: by default the object's own key; with
    /// <paramref name="keys"/> e.g. the keys of its owners (for an update, the keys of both old and new object).
    /// </summary>
    public void Watch(Informer informer, Func<JsonObject, IEnumerable<string>>? keys = null)
    {
        keys ??= obj => [ObjectKeys.KeyOf(obj)];
        _informers.Add(informer);
        informer.AddEventHandler(new InformerEventHandler
        {
            Added = obj => EnqueueAll(keys(obj)),
            Updated = (oldObj, newObj) =>
            {
                EnqueueAll(keys(oldObj));
                EnqueueAll(keys(newObj));
            },
            Deleted = obj => EnqueueAll(keys(obj)),
        });
    }

    public void Enqueue(string key) => Queue.Add(key);

    /// <summary>Waits for the informers to sync, then reconciles until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(_informers.Select(i => i.WaitForSyncAsync(ct)));
            _logger.LogInformation("Controller {Controller} starting {Workers} workers", Name, _options.Workers);
            var workers = Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => Task.Run(() => WorkerAsync(ct), CancellationToken.None)).ToArray();
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            Queue.ShutDown();
            _logger.LogInformation("Controller {Controller} stopped", Name);
        }
    }

    private async Task WorkerAsync(CancellationToken ct)
    {
        while (true)
        {
            var (key, shutDown) = await Queue.GetAsync(ct);
            if (shutDown)
            {
                return;
            }
            try
            {
                await ReconcileAsync(key, ct);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken ct)
    {
        // Every event logged while reconciling carries the controller and the object (JSON logs show them as fields).
        using var scope = _logger.BeginScope(new LogScope(new("controller", Name), new("object", key)));
        try
        {
            var result = await _reconciler.ReconcileAsync(key, ct);
            if (result.RequeueAfter > TimeSpan.Zero)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, result.RequeueAfter);
            }
            else if (result.Requeue)
            {
                Queue.AddRateLimited(key);
            }
            else
            {
                Queue.Forget(key);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Controller {Controller} failed to reconcile {Key} (retry {Retry})", Name, key, Queue.NumRequeues(key) + 1);
            Queue.AddRateLimited(key);
        }
    }

    private void EnqueueAll(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Queue.Add(key);
        }
    }
}
