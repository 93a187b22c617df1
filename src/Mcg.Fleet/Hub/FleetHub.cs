using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Hub;

/// <summary>The hub's fleet controllers: registration (acceptance, identities, credentials), leases/taints, placement and the policy propagator.</summary>
public static class FleetHub
{
    public static async Task RunAsync(IKubeClient hub, RegistrationOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        await OcmCrds.InstallAsync(hub, OcmCrds.Hub, ct);
        await ClusterJoin.EnsureNamespaceAsync(hub, FleetRbac.BootstrapNamespace, ct);
        var clusters = new Informer(hub, OcmCrds.ManagedClusters, new InformerOptions(), loggers.CreateLogger<Informer>());
        var leases = new Informer(hub, ResourceRef.Leases, new InformerOptions(), loggers.CreateLogger<Informer>());
        var events = new EventRecorder(hub, TimeProvider.System, loggers.CreateLogger<EventRecorder>());
        var registration = new KubeController("registration",
            new RegistrationController(hub, clusters, options, events, loggers.CreateLogger<RegistrationController>()),
            new ControllerOptions { Workers = 2 }, loggers.CreateLogger<KubeController>());
        registration.Watch(clusters);
        var leaseController = new LeaseController(hub, clusters, leases, events, loggers.CreateLogger<LeaseController>());
        var informers = Task.WhenAll(clusters.RunAsync(ct), leases.RunAsync(ct));
        await Task.WhenAll(clusters.WaitForSyncAsync(ct), leases.WaitForSyncAsync(ct));
        await Task.WhenAll(informers, registration.RunAsync(ct), leaseController.RunAsync(TimeSpan.FromSeconds(1), ct),
            Placement.PlacementControllers.RunAsync(hub, loggers, ct),
            Policy.PolicyHub.RunAsync(hub, loggers, ct));
    }
}
