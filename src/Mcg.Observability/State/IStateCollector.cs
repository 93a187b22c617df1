using Mcg.Kube.Runtime;

namespace Mcg.Observability.State;

/// <summary>
/// Metrics computed from watched objects, kube-state-metrics style: the collector's informers keep caches, and
/// <see cref="Collect"/> turns the caches into series right before each scrape (so controllers need no changes).
/// </summary>
public interface IStateCollector
{
    IReadOnlyList<Informer> Informers { get; }

    void Collect(DateTimeOffset now);
}
