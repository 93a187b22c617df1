using Mcg.Fleet.Crds;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.Patterns.Controller;
using Microsoft.Extensions.Logging;

namespace Mcg.Patterns.Hosting;

/// <summary>The pattern controller as <c>mcg hub</c> runs it, next to the fleet and application controllers.</summary>
public static class PatternHub
{
    public static async Task RunAsync(IKubeClient hub, RepositoryCache repositories, ILoggerFactory loggers, CancellationToken ct, PatternControllerOptions? options = null)
    {
        options ??= new PatternControllerOptions();
        await OcmCrds.InstallAsync(hub, PatternCrds.All, ct);
        // The fleet and application controllers install the kinds this one reads and writes; they start alongside.
        foreach (var kind in new[] { OcmCrds.ManagedClusters, OcmCrds.PlacementDecisions, ApplicationController.Applications })
        {
            await WaitForKindAsync(hub, kind, ct);
        }
        var controller = new PatternController(hub, repositories, options, loggers);
        var informers = Task.WhenAll(controller.Patterns.RunAsync(ct), controller.Decisions.RunAsync(ct), controller.Clusters.RunAsync(ct), controller.Applications.RunAsync(ct));
        await Task.WhenAll(informers, controller.Controller.RunAsync(ct));
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
