using System.CommandLine;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Hosting;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Exec;
using Mcg.Storage.Nodes;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary>The <c>mcg cluster serve</c> options of the simulators (nodes, timings) and starting them next to the server.</summary>
internal sealed class SimulationOptions
{
    public Option<int> Nodes { get; } = new("--nodes") { Description = "Virtual worker nodes to register", DefaultValueFactory = _ => 3 };
    public Option<string> NodeDisk { get; } = new("--node-disk-size") { Description = "Size of each node's data disk (/dev/sdb)", DefaultValueFactory = _ => "512Gi" };
    public Option<string> EvictionDelay { get; } = new("--eviction-delay") { Description = "How long pods stay on a failed node before eviction (Go duration)", DefaultValueFactory = _ => "5s" };
    public Option<bool> NoSimulators { get; } = new("--no-simulators") { Description = "Serve the API only: no nodes, pods, controllers or Portworx" };

    public void AddTo(Command command)
    {
        command.Options.Add(Nodes);
        command.Options.Add(NodeDisk);
        command.Options.Add(EvictionDelay);
        command.Options.Add(NoSimulators);
    }

    /// <summary>The first invalid option, named, or null.</summary>
    public string? Validate(ParseResult parse)
    {
        if (parse.GetValue(NoSimulators))
        {
            return null;
        }
        if (parse.GetValue(Nodes) < 1)
        {
            return $"--nodes: must be at least 1, got {parse.GetValue(Nodes)}";
        }
        if (!GoDuration.TryParse(parse.GetValue(EvictionDelay), out _))
        {
            return $"--eviction-delay: \"{parse.GetValue(EvictionDelay)}\" is not a duration such as 30s or 5m";
        }
        if (!Quantity.TryParse(parse.GetValue(NodeDisk), out var size) || size <= 0)
        {
            return $"--node-disk-size: \"{parse.GetValue(NodeDisk)}\" is not a size such as 512Gi";
        }
        return null;
    }

    public async Task<IAsyncDisposable> StartAsync(ParseResult parse, EmbeddedApiServer server, ILoggerFactory loggers, CancellationToken ct)
    {
        if (parse.GetValue(NoSimulators))
        {
            return new Nothing();
        }
        GoDuration.TryParse(parse.GetValue(EvictionDelay), out var eviction);
        var nodes = parse.GetValue(Nodes);
        var client = new KubernetesClientKubeClient(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
        var simulator = new ClusterSimulator(client, new SimulatorOptions
        {
            DataDirectory = Path.GetDirectoryName(server.KubeconfigPath)!,
            Nodes = nodes,
            NodeDiskSize = parse.GetValue(NodeDisk)!,
            EvictionDelay = eviction,
        }, loggers);
        server.Subresources.Register("", "pods", "exec", simulator.ExecHandler);
        await simulator.StartAsync(ct);
        return new Running(simulator, client);
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Running(ClusterSimulator simulator, KubernetesClientKubeClient client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await simulator.DisposeAsync();
            client.Dispose();
        }
    }
}

/// <summary><c>mcg cluster node fail|recover</c> and <c>mcg cluster exec</c>: act on a virtual cluster through its API.</summary>
internal static class SimulatedClusterCommands
{
    public static Command Node()
    {
        var node = new Command("node", "Virtual nodes: fail or recover a machine");
        foreach (var (verb, failed, description) in new[] { ("fail", true, "Take a virtual node's machine down (NotReady; its pods are evicted)"), ("recover", false, "Bring a failed virtual node back") })
        {
            var kube = new KubeOptions();
            var name = new Argument<string>("name") { Description = "Node name" };
            var command = new Command(verb, description) { name };
            command.Options.Add(kube.Kubeconfig);
            command.SetAction(async (parse, ct) =>
            {
                using var client = kube.Connect(parse);
                try
                {
                    await NodeFailures.SetFailedAsync(client, parse.GetValue(name)!, failed, ct);
                }
                catch (InvalidOperationException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 1;
                }
                Console.WriteLine($"node/{parse.GetValue(name)} {(failed ? "failed" : "recovered")}");
                return 0;
            });
            node.Subcommands.Add(command);
        }
        return node;
    }

    public static Command Exec()
    {
        var kube = new KubeOptions();
        var pod = new Argument<string>("pod") { Description = "Pod name" };
        var command = new Argument<string[]>("command") { Description = "After --: write PATH TEXT | append PATH TEXT | read PATH | ls PATH", Arity = ArgumentArity.OneOrMore };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the pod", DefaultValueFactory = _ => "default" };
        var container = new Option<string?>("--container", "-c") { Description = "Container (default: the first)" };
        var exec = new Command("exec", "Run a simulated command in a virtual cluster's pod (reads and writes the pod's volumes)") { pod, command, ns, container };
        exec.Options.Add(kube.Kubeconfig);
        exec.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var request = PodExec.Request(parse.GetValue(ns)!, parse.GetValue(pod)!, parse.GetValue(container), parse.GetValue(command)!);
            JsonObject result;
            try
            {
                result = await client.CreateAsync(Mcg.Storage.Simulation.Resources.Pods, request, new WriteOptions { Subresource = "exec" }, ct);
            }
            catch (KubeApiException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            Console.Write(result["stdout"]?.GetValue<string>() ?? "");
            Console.Error.Write(result["stderr"]?.GetValue<string>() ?? "");
            return (int)(result["exitCode"]?.GetValue<long>() ?? 0);
        });
        return exec;
    }
}
