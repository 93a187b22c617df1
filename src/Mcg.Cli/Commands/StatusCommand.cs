using System.CommandLine;
using Mcg.Cli.Status;
using Mcg.Cli.Up;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg status</c>: the whole fleet on one screen.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var kube = new KubeOptions();
        var data = new Option<DirectoryInfo?>("--data") { Description = "An mcg up data directory: the hub and every cluster are found there" };
        var status = new Command("status", "Print the fleet: clusters, applications, policies, external secrets and storage") { data };
        status.Options.Add(kube.Kubeconfig);
        status.SetAction(async (parse, ct) =>
        {
            var clusters = new Dictionary<string, string>();
            IReadOnlyList<MetricsEndpoint>? metrics = null;
            Mcg.Kube.Client.KubernetesClientKubeClient hub;
            if (parse.GetValue(data) is { } dir)
            {
                var layout = new UpLayout(dir.FullName);
                if (!File.Exists(layout.HubKubeconfig))
                {
                    Console.Error.WriteLine($"--data: {layout.HubKubeconfig} does not exist (is {dir.FullName} an mcg up data directory?)");
                    return 2;
                }
                hub = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(layout.HubKubeconfig));
                metrics = File.Exists(layout.StatePath) ? MetricsEndpoint.Of(UpState.Load(layout.StatePath)) : null;
                var clusterRoot = Path.Combine(layout.Root, "clusters");
                foreach (var d in Directory.Exists(clusterRoot) ? Directory.GetDirectories(clusterRoot) : [])
                {
                    if (File.Exists(Path.Combine(d, "kubeconfig")))
                    {
                        clusters[Path.GetFileName(d)] = Path.Combine(d, "kubeconfig");
                    }
                }
            }
            else
            {
                hub = kube.Connect(parse);
            }
            using (hub)
            {
                try
                {
                    await new FleetStatusReport(hub, clusters, Console.Out, metrics).WriteAsync(DateTimeOffset.UtcNow, ct);
                }
                catch (HttpRequestException e)
                {
                    Console.Error.WriteLine($"the hub is not reachable ({e.Message}); is mcg up or mcg hub running?");
                    return 1;
                }
            }
            return 0;
        });
        return status;
    }
}
