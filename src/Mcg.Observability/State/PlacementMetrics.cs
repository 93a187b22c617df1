using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Placement;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary><c>mcg_placement_decisions</c>: how many clusters each Placement selected (over all its PlacementDecisions).</summary>
public sealed class PlacementMetrics : IStateCollector
{
    private readonly Informer _decisions;
    private readonly GaugeSeries _count;

    public PlacementMetrics(IKubeClient client, IMetricFactory metrics)
    {
        _decisions = new Informer(client, OcmCrds.PlacementDecisions);
        _count = new GaugeSeries(metrics.CreateGauge("mcg_placement_decisions",
            "Clusters selected by the placement, from its PlacementDecisions.", ["namespace", "placement"]));
    }

    public IReadOnlyList<Informer> Informers => [_decisions];

    public void Collect(DateTimeOffset now) => _count.Replace(_decisions.List()
        .Where(d => d.Labels().ContainsKey(OcmLabels.Placement))
        .GroupBy(d => (Namespace: d.Namespace() ?? "", Placement: d.Labels()[OcmLabels.Placement]))
        .Select(g => (new[] { g.Key.Namespace, g.Key.Placement },
            (double)g.Sum(d => (d["status"]?["decisions"] as JsonArray)?.Count ?? 0))));
}
