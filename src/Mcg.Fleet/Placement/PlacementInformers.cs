using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Placement;

/// <summary>The shared informers (caches) of the kinds the placement controllers read, all namespaces.</summary>
public sealed class PlacementInformers
{
    public PlacementInformers(IKubeClient client, ILoggerFactory loggers)
    {
        Informer Create(ResourceRef r) => new(client, r, new InformerOptions(), loggers.CreateLogger<Informer>());
        Clusters = Create(OcmCrds.ManagedClusters);
        ClusterSets = Create(OcmCrds.ManagedClusterSets);
        Bindings = Create(OcmCrds.ManagedClusterSetBindings);
        Placements = Create(OcmCrds.Placements);
        Decisions = Create(OcmCrds.PlacementDecisions);
        PlacementRules = Create(OcmCrds.PlacementRules);
    }

    public Informer Clusters { get; }
    public Informer ClusterSets { get; }
    public Informer Bindings { get; }
    public Informer Placements { get; }
    public Informer Decisions { get; }
    public Informer PlacementRules { get; }

    public IReadOnlyList<Informer> All => [Clusters, ClusterSets, Bindings, Placements, Decisions, PlacementRules];

    /// <summary>Lists and watches until cancelled.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(All.Select(i => i.RunAsync(ct)));

    public Task WaitForSyncAsync(CancellationToken ct) => Task.WhenAll(All.Select(i => i.WaitForSyncAsync(ct)));
}
