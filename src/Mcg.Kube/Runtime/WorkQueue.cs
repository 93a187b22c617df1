namespace Mcg.Kube.Runtime;

public sealed class WorkQueueOptions
{
    /// <summary>First retry delay of an item; doubles with each further failure.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(5);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(1000);

    /// <summary>Overall retry rate (token bucket refill per second) and burst.</summary>
    public double Qps { get; set; } = 10;
    public int Burst { get; set; } = 100;
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The <c>name</c> label of the queue's metrics (controllers use their own name).</summary>
    public string Name { get; set; } = "";
    public WorkQueueMetrics Metrics { get; set; } = WorkQueueMetrics.Shared;
}

/// <summary>
/// A rate-limited work queue with client-go semantics: an item queued several times is handed out once; an item is
/// never handed out while it is being processed (an Add during processing queues it again on <see cref="Done"/>);
/// delayed adds (<see cref="AddAfter"/>) keep the earliest deadline per item; <see cref="AddRateLimited"/> delays
/// by the rate limiter (per-item exponential backoff combined with an overall token bucket). After
/// <see cref="ShutDown"/> new adds are ignored and <see cref="GetAsync"/> drains what is queued, then reports shutdown.
/// </summary>
public sealed class WorkQueue<T> : IDisposable where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Queue<TaskCompletionSource<(T, bool)>> _waiters = new();
    private readonly Dictionary<T, (DateTimeOffset ReadyAt, ITimer Timer)> _waiting = [];
    private readonly IRateLimiter<T> _rateLimiter;
    private readonly TimeProvider _time;
    private readonly WorkQueueMetrics _metrics;
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly Dictionary<T, long> _queuedAt = [];
    private readonly Dictionary<T, long> _startedAt = [];
    private bool _shuttingDown;

    /// <param name="name">The <c>name</c> label of the queue's metrics (default: <see cref="WorkQueueOptions.Name"/>).</param>
    public WorkQueue(WorkQueueOptions? options = null, IRateLimiter<T>? rateLimiter = null, string? name = null)
    {
        options ??= new WorkQueueOptions();
        _time = options.TimeProvider;
        _metrics = options.Metrics;
        _nameTag = new("name", name ?? options.Name);
        _rateLimiter = rateLimiter ?? new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(options.BaseDelay, options.MaxDelay),
            new BucketRateLimiter<T>(options.Qps, options.Burst, options.TimeProvider));
    }

    /// <summary>Items queued and not yet handed out.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }
            _metrics.Adds.Add(1, _nameTag);
            if (!_processing.Contains(item))
            {
                Push(item);
            }
        }
    }

    /// <summary>
    /// Waits for an item; the caller must call <see cref="Done"/> when finished with it. Returns shutDown = true
    /// once the queue is shut down and empty.
    /// </summary>
    public async Task<(T Item, bool ShutDown)> GetAsync(CancellationToken ct = default)
    {
        TaskCompletionSource<(T, bool)> waiter;
        lock (_lock)
        {
            if (_queue.TryDequeue(out var item))
            {
                _metrics.Depth.Add(-1, _nameTag);
                StartProcessing(item);
                return (item, false);
            }
            if (_shuttingDown)
            {
                return (default!, true);
            }
            waiter = new TaskCompletionSource<(T, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        await using (ct.Register(() => waiter.TrySetCanceled(ct)))
        {
            return await waiter.Task;
        }
    }

    /// <summary>Marks the item as processed; if it was added meanwhile, it is queued again.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            if (_startedAt.Remove(item, out var started))
            {
                _metrics.WorkDuration.Record(_time.GetElapsedTime(started).TotalSeconds, _nameTag);
            }
            _processing.Remove(item);
            if (_dirty.Contains(item))
            {
                Push(item);
            }
        }
    }

    /// <summary>Adds the item once <paramref name="delay"/> has passed (at once when not positive).</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }
            var readyAt = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var existing))
            {
                if (existing.ReadyAt <= readyAt)
                {
                    return;
                }
                existing.Timer.Dispose();
            }
            // The callback takes the lock, so it cannot observe the map before the entry is stored.
            var timer = _time.CreateTimer(_ => OnTimer(item, readyAt), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[item] = (readyAt, timer);
        }
    }

    /// <summary>Adds the item after the rate limiter's delay for it (its backoff grows with each call until <see cref="Forget"/>).</summary>
    public void AddRateLimited(T item)
    {
        _metrics.Retries.Add(1, _nameTag);
        AddAfter(item, _rateLimiter.When(item));
    }

    /// <summary>Resets the item's backoff.</summary>
    public void Forget(T item) => _rateLimiter.Forget(item);

    public int NumRequeues(T item) => _rateLimiter.NumRequeues(item);

    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            foreach (var (_, timer) in _waiting.Values)
            {
                timer.Dispose();
            }
            _waiting.Clear();
            // Getters only wait while the queue is empty, so waking them all with "shut down" is right.
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult((default!, true));
            }
        }
    }

    public void Dispose() => ShutDown();

    // Under the lock: the item is dirty and not processing; hand it to a waiting getter or queue it.
    private void Push(T item)
    {
        _queuedAt[item] = _time.GetTimestamp();
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult((item, false)))
            {
                StartProcessing(item);
                return;
            }
        }
        _queue.Enqueue(item);
        _metrics.Depth.Add(1, _nameTag);
    }

    // Under the lock: the item leaves the queue for a worker.
    private void StartProcessing(T item)
    {
        _dirty.Remove(item);
        _processing.Add(item);
        if (_queuedAt.Remove(item, out var queued))
        {
            _metrics.QueueDuration.Record(_time.GetElapsedTime(queued).TotalSeconds, _nameTag);
        }
        _startedAt[item] = _time.GetTimestamp();
    }

    private void OnTimer(T item, DateTimeOffset readyAt)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(item, out var entry) || entry.ReadyAt != readyAt)
            {
                return; // superseded by an earlier deadline
            }
            _waiting.Remove(item);
            entry.Timer.Dispose();
        }
        Add(item);
    }
}
