using Mcg.Fleet.Crds;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.Patterns.Controller;
using Mcg.Patterns.Provisioning;
using Microsoft.Extensions.Logging;

namespace Mcg.Patterns.Hosting;

/// <summary>The pattern controller and the cluster provisioner as <c>mcg hub</c> runs them, next to the fleet and application controllers.</summary>
public static class PatternHub
{
    public static async Task RunAsync(IKubeClient hub, RepositoryCache repositories, ILoggerFactory loggers, CancellationToken ct, PatternHubOptions? options = null)
    {
        options ??= new PatternHubOptions();
        await OcmCrds.InstallAsync(hub, PatternCrds.All, ct);
        // The fleet and application controllers install the kinds this one reads and writes; they start alongside.
        foreach (var kind in new[] { OcmCrds.ManagedClusters, OcmCrds.PlacementDecisions, ApplicationController.Applications })
        {
            await WaitForKindAsync(hub, kind, ct);
        }
        var controller = new PatternController(hub, repositories, options.Controller, loggers);
        var drivers = new List<IClusterDriver>();
        if (options.DataDirectory is { } data)
        {
            drivers.Add(new VirtualClusterDriver(hub, options.HubKubeconfig ?? Path.Combine(data, "kubeconfig"), Path.Combine(data, "provisioned"),
                loggers.CreateLogger<VirtualClusterDriver>()));
        }
        var provisioner = new ClusterProvisioner(hub, drivers, options.DefaultDriver, loggers);
        try
        {
            await Task.WhenAll(
                controller.Patterns.RunAsync(ct), controller.Decisions.RunAsync(ct), controller.Clusters.RunAsync(ct), controller.Applications.RunAsync(ct),
                controller.Controller.RunAsync(ct),
                provisioner.Deployments.RunAsync(ct), provisioner.Claims.RunAsync(ct), provisioner.Controller.RunAsync(ct));
        }
        finally
        {
            foreach (var driver in drivers)
            {
                await driver.DisposeAsync();
            }
        }
    }

    private static async Task WaitForKindAsync(IKubeClient hub, ResourceRef kind, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await hub.ResolveAsync(kind.Gvk, ct);
                return;
            }
            catch (NoKindMatchException)
            {
                await Task.Delay(200, ct);
            }
        }
    }
}
