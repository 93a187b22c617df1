using System.CommandLine;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.Fleet.Hub;
using Mcg.Fleet.Registration;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg hub</c>: the management hub — its API (embedded), the fleet controllers and the application controller.</summary>
public static class HubCommands
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Hub data directory (API state, certificates, kubeconfig, repository cache)", Required = true };
        var port = new Option<int>("--port") { Description = "HTTPS port of the hub API on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var autoAccept = new Option<bool>("--auto-accept") { Description = "Accept every cluster that registers", DefaultValueFactory = _ => true };
        var hub = new Command("hub", "Run the management hub") { data, port, autoAccept };
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
            await using var apps = new ApplicationController(client, cache,
                new AppComparer(new GitManifestSource(repositories, client, "argocd"), new ManifestRenderer(), cache, health), health,
                new ApplicationControllerOptions(), loggers);
            try
            {
                await Task.WhenAll(
                    FleetHub.RunAsync(client, new RegistrationOptions { AutoAccept = parse.GetValue(autoAccept) }, loggers, ct),
                    apps.RunAsync(ct),
                    Mcg.Patterns.Hosting.PatternHub.RunAsync(client, repositories, loggers, ct, new() { DataDirectory = dir }));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return hub;
    }
}
