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
using Mcg.Observability.Exposition;
using Mcg.Observability.Hosting;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;
using Mcg.WebConsole.Hosting;
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
        var vaultPort = new Option<int>("--vault-port") { Description = "HTTPS port of the hub's Vault on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var vaultInit = new Option<FileInfo?>("--vault-init-file") { Description = "Vault init answer (unseal keys, root token): written on first start, used to unseal on every start (default DIR/vault-init.json; local use only)" };
        var external = new Option<string?>("--kubeconfig") { Description = "Run on an existing cluster's API (as mcg install expects) instead of the embedded one" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "With --kubeconfig: serve Prometheus metrics on http://127.0.0.1:PORT/metrics" };
        var vaultKeys = new Option<string>("--vault-keys")
        {
            Description = "Where Vault's unseal keys live: file (--vault-init-file; initialised and unsealed automatically, local use) or secret (imperative/vaultkeys, written by mcg install)",
            DefaultValueFactory = _ => "file",
        };
        vaultKeys.AcceptOnlyFromAmong("file", "secret");
        var consolePort = new Option<int>("--console-port") { Description = "HTTP port of the web console (and /metrics) on 127.0.0.1 (0: any free port); its URL is written to DIR/console-url", DefaultValueFactory = _ => 0 };
        var hub = new Command("hub", "Run the management hub") { data, port, autoAccept, resync, vaultPort, vaultInit, external, metricsPort, vaultKeys, consolePort };
        var logFormat = LogFormatOption.Create();
        hub.Options.Add(logFormat);
        // The embedded hub is a virtual cluster too: its own applications' pods and volumes are simulated.
        var simulation = new SimulationOptions();
        simulation.AddTo(hub);
        hub.SetAction(async (parse, ct) =>
        {
            using var loggers = Mcg.Observability.Logging.ConsoleLogging.Create(parse.GetValue(logFormat));
            var dir = parse.GetValue(data)!.FullName;
            using var metrics = new MetricsExporter(); // GET /metrics on the API origin, for tokens RBAC allows (see deploy/prometheus)
            var (server, kubeconfigPath) = await StartApiAsync(parse.GetValue(external), dir, parse.GetValue(port), metrics, loggers, ct);
            await using var _ = server;
            await using var simulator = server is null ? null : await simulation.StartAsync(parse, server, loggers, ct);
            await using var metricsServer = server is null && parse.GetValue(metricsPort) is { } mp ? await MetricsServer.StartAsync(metrics, mp, ct) : null;
            var keysInSecret = parse.GetValue(vaultKeys) == "secret";
            await using var secrets = await HubSecrets.StartAsync(new HubSecretsOptions
            {
                DataDirectory = dir,
                VaultPort = parse.GetValue(vaultPort),
                InitFile = parse.GetValue(vaultInit)?.FullName,
                HubApi = KubeconfigEndpoint.Read(kubeconfigPath),
                AutoUnseal = !keysInSecret,
            }, loggers, ct);
            Console.WriteLine($"vault: {secrets.Vault.Url} (CA {Path.Combine(dir, "vault-ca.crt")})");
            await using var console = await ConsoleServer.StartAsync(new ConsoleOptions
            {
                Port = parse.GetValue(consolePort),
                HubKubeconfig = kubeconfigPath,
                Metrics = metrics.HandleAsync,
                RepositoryDirectory = Path.Combine(dir, "console-repositories"),
            }, loggers, ct);
            await File.WriteAllTextAsync(Path.Combine(dir, "console-url"), console.Url + "\n", ct);
            Console.WriteLine($"console: {console.Url}");
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath));
            var unsealer = keysInSecret
                ? new VaultKeysUnsealer(client, secrets.Vault.CreateClient(), secrets.UseRootToken, loggers.CreateLogger<VaultKeysUnsealer>()).RunAsync(ct)
                : Task.CompletedTask;
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
                    appSets.RunAsync(ct),
                    secrets.RunAsync(client, ct),
                    Mcg.Patterns.Hosting.PatternHub.RunAsync(client, repositories, loggers, ct, new() { DataDirectory = dir }),
                    ProcessMetrics.RunHubStateAsync(metrics, client, ct, secrets.Vault.Core),
                    unsealer);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return hub;
    }

    /// <summary>The embedded API server (kubeconfig copied to DIR/kubeconfig), or an existing cluster's API.</summary>
    private static async Task<(EmbeddedApiServer? Server, string Kubeconfig)> StartApiAsync(string? external, string dir, int port, MetricsExporter metrics,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (external is not null)
        {
            var path = Path.GetFullPath(external);
            Console.WriteLine($"hub listening on {KubeconfigEndpoint.Read(path).Server} (an existing cluster, kubeconfig {path})");
            return (null, path);
        }
        var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(dir, "api"), Port = port, ClusterName = "hub", Metrics = metrics.HandleAsync },
            new ClusterCommands.ForwardingLoggerProvider(loggers), ct);
        File.Copy(server.KubeconfigPath, Path.Combine(dir, "kubeconfig"), overwrite: true);
        Console.WriteLine($"hub listening on {server.Url}");
        Console.WriteLine($"kubeconfig: {Path.Combine(dir, "kubeconfig")}");
        return (server, server.KubeconfigPath);
    }
}
