using System.CommandLine;
using k8s;
using Mcg.Fleet.Agent;
using Mcg.Fleet.Work;
using Mcg.Kube.Client;
using Mcg.Secrets.ExternalSecrets;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg agent</c>: the klusterlet of one managed cluster (registration, lease, work, policies) and its ExternalSecret controller.</summary>
public static class AgentCommands
{
    public static Command Create()
    {
        var hubKubeconfig = new Option<string?>("--hub-kubeconfig") { Description = "Bootstrap kubeconfig for the hub (from mcg cluster join); not needed once registered" };
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the managed cluster", Required = true };
        var name = new Option<string>("--cluster-name") { Description = "Name of this cluster on the hub", Required = true };
        var data = new Option<DirectoryInfo>("--data") { Description = "Agent data directory (its hub credential)", Required = true };
        var labels = new Option<string[]>("--label") { Description = "Label requested at registration (k=v), repeatable", AllowMultipleArgumentsPerToken = false };
        var claims = new Option<string[]>("--claim") { Description = "Cluster claim (platform=AWS, region=us-east-1…), repeatable" };
        var lease = new Option<int>("--lease-seconds") { Description = "Lease duration in seconds (renewed at this interval)", DefaultValueFactory = _ => 60 };
        var externalSecrets = new Option<bool>("--external-secrets") { Description = "Run the ExternalSecret controller on the managed cluster", DefaultValueFactory = _ => true };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics (0: any free port)" };
        var agent = new Command("agent", "Run the agent of a managed cluster") { hubKubeconfig, kubeconfig, name, data, labels, claims, lease, externalSecrets, metricsPort };
        var logFormat = LogFormatOption.Create();
        agent.Options.Add(logFormat);
        agent.SetAction(async (parse, ct) =>
        {
            using var loggers = Mcg.Observability.Logging.ConsoleLogging.Create(parse.GetValue(logFormat));
            var managedConfig = KubernetesClientConfiguration.BuildConfigFromConfigFile(parse.GetValue(kubeconfig)!);
            using var managed = new KubernetesClientKubeClient(managedConfig);
            var cluster = parse.GetValue(name)!;
            using var clusterScope = Mcg.Observability.Logging.ConsoleLogging.BeginProcessScope(loggers, new KeyValuePair<string, object?>("cluster", cluster));
            var options = new AgentOptions
            {
                ClusterName = cluster,
                DataDirectory = parse.GetValue(data)!.FullName,
                BootstrapKubeconfig = parse.GetValue(hubKubeconfig),
                Labels = Pairs(parse.GetValue(labels)),
                Claims = Pairs(parse.GetValue(claims)),
                LeaseDurationSeconds = parse.GetValue(lease),
                ManagedClusterUrl = managedConfig.Host,
                ManagedClusterCaPem = KubeconfigEndpoint.Read(parse.GetValue(kubeconfig)!).CaPem,
            };
            var registration = new RegistrationAgent(options, managed, loggers.CreateLogger<RegistrationAgent>());
            var metrics = Mcg.Observability.Hosting.ProcessMetrics.RunAgentAsync(parse.GetValue(metricsPort), managed, Console.Out, ct);
            try
            {
                using var hub = await registration.ConnectAsync(ct);
                Console.WriteLine($"agent of {cluster} connected to the hub");
                var work = new WorkAgent(hub, managed, cluster, loggers);
                await Task.WhenAll(registration.RunAsync(hub, ct), work.RunAsync(ct), Mcg.Fleet.Policy.PolicyAgent.RunAsync(hub, managed, cluster, loggers, ct),
                    parse.GetValue(externalSecrets) ? RunExternalSecretsAsync(managed, loggers, ct) : Task.CompletedTask, metrics);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return agent;
    }

    /// <summary>The service account the cluster's stores log in with (allowed to review tokens), then the controller.</summary>
    private static async Task RunExternalSecretsAsync(IKubeClient managed, ILoggerFactory loggers, CancellationToken ct)
    {
        await EsoServiceAccount.EnsureAsync(managed, ct);
        await ExternalSecretsController.RunAsync(managed, loggers, null, ct);
    }

    private static Dictionary<string, string> Pairs(string[]? values) =>
        (values ?? []).Select(v => v.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
