using System.CommandLine;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.Cli.Wiring;
using Mcg.Fleet.Delivery;
using Mcg.Fleet.Hub;
using Mcg.Fleet.Registration;
using Mcg.GitOps.ApplicationSets;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Delivery;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg hub</c>: the management hub — its API (embedded), the fleet controllers and the application controller.</summary>
public static class HubCommands
{
    private const string ControlNamespace = "argocd";

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Hub data directory (API state, certificates, kubeconfig, repository cache)", Required = true };
        var port = new Option<int>("--port") { Description = "HTTPS port of the hub API on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var autoAccept = new Option<bool>("--auto-accept") { Description = "Accept every cluster that registers", DefaultValueFactory = _ => true };
        var resync = new Option<int>("--app-resync") { Description = "Seconds between re-reading each application's source revision (Argo CD's timeout.reconciliation)", DefaultValueFactory = _ => 60 };
        var hub = new Command("hub", "Run the management hub") { data, port, autoAccept, resync };
        hub.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var dir = parse.GetValue(data)!.FullName;
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(dir, "api"), Port = parse.GetValue(port), ClusterName = "hub" },
                new ClusterCommands.ForwardingLoggerProvider(loggers), ct);
            File.Copy(server.KubeconfigPath, Path.Combine(dir, "kubeconfig"), overwrite: true);
            Console.WriteLine($"hub listening on {server.Url}");
            Console.WriteLine($"kubeconfig: {Path.Combine(dir, "kubeconfig")}");
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
            var repositories = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = Path.Combine(dir, "repositories") }, loggers.CreateLogger<RepositoryCache>());
            await using var cache = new ClusterCache(client, loggers);
            var health = new HealthAssessor();
            var comparer = new AppComparer(new GitManifestSource(repositories, client, ControlNamespace), new ManifestRenderer(), cache, health);
            // Applications for managed clusters are rendered here once and delivered as ManifestWorks (see Wiring/FleetRemoteDelivery).
            var clusters = new ClusterSecrets(client, ControlNamespace, loggers);
            var remote = new RemoteDestinations(clusters, new FleetRemoteDelivery(new ManifestWorkDelivery(client, loggers)),
                new RemoteComparer(comparer, health), new RemoteDeliveryOptions());
            await using var apps = new ApplicationController(client, cache, comparer, health,
                new ApplicationControllerOptions { PollInterval = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(resync))) }, loggers, remote: remote);
            var appSets = new ApplicationSetController(client, clusters, apps.ApplicationsInformer, loggers);
            try
            {
                await Task.WhenAll(
                    FleetHub.RunAsync(client, new RegistrationOptions { AutoAccept = parse.GetValue(autoAccept) }, loggers, ct),
                    new ArgoClusterSecrets(client, ControlNamespace, loggers).RunAsync(ct),
                    apps.RunAsync(ct),
                    appSets.RunAsync(ct));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return hub;
    }
}
