using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Placement;

/// <summary>
/// The hub's placement controllers: default cluster sets, ManagedCluster defaulting (clusterset label, taint
/// timeAdded), ManagedClusterSet and ManagedClusterSetBinding status, Placement scheduling and legacy PlacementRules.
/// They share one set of informers. The OCM CRDs must be installed.
/// </summary>
public static class PlacementControllers
{
    /// <summary>Runs all placement controllers until <paramref name="ct"/> is cancelled.</summary>
    public static async Task RunAsync(IKubeClient client, ILoggerFactory loggers, CancellationToken ct)
    {
        var informers = new PlacementInformers(client, loggers);
        var fleet = new FleetView(informers);
        KubeController Create(string name, IReconciler reconciler, int workers = 1) =>
            new(name, reconciler, new ControllerOptions { Workers = workers }, loggers.CreateLogger<KubeController>());

        var defaultSets = Create("default-managedclustersets", new DefaultClusterSetsReconciler(client, fleet, loggers.CreateLogger<DefaultClusterSetsReconciler>()));
        defaultSets.Watch(informers.ClusterSets, s => DefaultClusterSets.Names.Contains(s.Name()) ? [s.Name()!] : []);

        var defaulter = Create("managedcluster-defaulter", new ManagedClusterDefaulter(client, fleet, loggers.CreateLogger<ManagedClusterDefaulter>()));
        defaulter.Watch(informers.Clusters, c => ManagedClusterDefaulter.NeedsDefaults(c) ? [ObjectKeys.KeyOf(c)] : []);

        var setReconciler = new ManagedClusterSetReconciler(client, fleet, loggers.CreateLogger<ManagedClusterSetReconciler>());
        var sets = Create("managedclustersets", setReconciler);
        sets.Watch(informers.ClusterSets);
        setReconciler.Register(sets.Enqueue);

        var bindingReconciler = new ManagedClusterSetBindingReconciler(client, fleet);
        var bindings = Create("managedclustersetbindings", bindingReconciler);
        bindings.Watch(informers.Bindings);
        bindingReconciler.Register(bindings.Enqueue);

        var placements = Create("placements", new PlacementReconciler(client, fleet, loggers.CreateLogger<PlacementReconciler>()), workers: 2);
        placements.Watch(informers.Placements);
        new PlacementEventMapper(fleet).Register(placements.Enqueue);

        var ruleReconciler = new PlacementRuleReconciler(client, fleet, loggers.CreateLogger<PlacementRuleReconciler>());
        var rules = Create("placementrules", ruleReconciler);
        rules.Watch(informers.PlacementRules);
        ruleReconciler.Register(rules.Enqueue);

        KubeController[] controllers = [defaultSets, defaulter, sets, bindings, placements, rules];
        var running = informers.RunAsync(ct);
        try
        {
            // Every controller reads all caches: start them only once all are filled.
            await informers.WaitForSyncAsync(ct);
            foreach (var name in DefaultClusterSets.Names)
            {
                defaultSets.Enqueue(name);
            }
            await Task.WhenAll(controllers.Select(c => c.RunAsync(ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            await running;
        }
    }
}
