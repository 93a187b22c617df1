using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// Runs a set of <see cref="IStateCollector"/>s: their informers watch until cancelled, and every scrape of the
/// registry first recomputes their series from the informers' caches (objects whose CRD is not installed simply
/// contribute nothing; their informers keep retrying with backoff).
/// </summary>
public sealed class StateMetrics
{
    private readonly IReadOnlyList<IStateCollector> _collectors;
    private readonly TimeProvider _time;

    public StateMetrics(CollectorRegistry registry, IReadOnlyList<IStateCollector> collectors, TimeProvider? time = null)
    {
        _collectors = collectors;
        _time = time ?? TimeProvider.System;
        registry.AddBeforeCollectCallback(Collect);
    }

    public Task RunAsync(CancellationToken ct) =>
        Task.WhenAll(_collectors.SelectMany(c => c.Informers).Select(i => i.RunAsync(ct)));

    private void Collect()
    {
        var now = _time.GetUtcNow();
        foreach (var collector in _collectors)
        {
            collector.Collect(now);
        }
    }
}
