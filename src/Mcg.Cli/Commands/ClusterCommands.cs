using System.CommandLine;
using Mcg.ApiServer.Hosting;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg cluster …</c>: virtual clusters (the embedded Kubernetes-compatible API server).</summary>
public static class ClusterCommands
{
    public static Command Create()
    {
        var cluster = new Command("cluster", "Virtual clusters: an embedded Kubernetes-compatible API server");
        cluster.Subcommands.Add(Serve());
        cluster.Subcommands.Add(Join());
        cluster.Subcommands.Add(List());
        cluster.Subcommands.Add(SimulatedClusterCommands.Node());
        cluster.Subcommands.Add(SimulatedClusterCommands.Exec());
        return cluster;
    }

    private static Command Join()
    {
        var kube = new KubeOptions();
        var name = new Argument<string>("name") { Description = "Name the cluster will have on the hub" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the bootstrap kubeconfig here (default: stdout)" };
        var ttl = new Option<int>("--ttl-minutes") { Description = "How long the bootstrap token is valid", DefaultValueFactory = _ => 60 };
        var revoke = new Option<bool>("--revoke") { Description = "Revoke the cluster's bootstrap token instead" };
        var join = new Command("join", "Issue a bootstrap kubeconfig with which a cluster's agent joins the hub") { name, output, ttl, revoke };
        join.Options.Add(kube.Kubeconfig);
        join.SetAction(async (parse, ct) =>
        {
            using var hub = kube.Connect(parse);
            var clusterName = parse.GetValue(name)!;
            if (parse.GetValue(revoke))
            {
                await Mcg.Fleet.Registration.ClusterJoin.RevokeBootstrapAsync(hub, clusterName, ct);
                Console.WriteLine($"bootstrap token of {clusterName} revoked");
                return 0;
            }
            var token = await Mcg.Fleet.Registration.ClusterJoin.IssueBootstrapTokenAsync(hub, clusterName, TimeSpan.FromMinutes(parse.GetValue(ttl)), ct);
            var hubConfigPath = parse.GetValue(kube.Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            var text = Mcg.Fleet.Registration.ClusterJoin.BootstrapKubeconfig(await File.ReadAllTextAsync(hubConfigPath, ct), hubConfigPath, token);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, text, ct);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                Console.WriteLine($"bootstrap kubeconfig for {clusterName} written to {file.FullName}; run: mcg agent --hub-kubeconfig {file.FullName} --kubeconfig <cluster kubeconfig> --cluster-name {clusterName} --data <dir>");
            }
            else
            {
                Console.Write(text);
            }
            return 0;
        });
        return join;
    }

    private static Command List()
    {
        var kube = new KubeOptions();
        var list = new Command("list", "List the managed clusters (like oc get managedclusters)");
        list.Options.Add(kube.Kubeconfig);
        list.SetAction(async (parse, ct) =>
        {
            using var hub = kube.Connect(parse);
            var table = new Mcg.Cli.Output.TableWriter("NAME", "HUB ACCEPTED", "MANAGED CLUSTER URLS", "JOINED", "AVAILABLE", "LABELS");
            foreach (var c in (await hub.ListAsync(Mcg.Fleet.Crds.OcmCrds.ManagedClusters, null, null, ct)).Items)
            {
                table.Add(c["metadata"]?["name"]?.ToString(), c["spec"]?["hubAcceptsClient"]?.ToString().ToLowerInvariant() ?? "false",
                    c["spec"]?["managedClusterClientConfigs"]?[0]?["url"]?.ToString(),
                    Mcg.Fleet.Conditions.Get(c["status"] as System.Text.Json.Nodes.JsonObject, "ManagedClusterJoined"),
                    Mcg.Fleet.Conditions.Get(c["status"] as System.Text.Json.Nodes.JsonObject, "ManagedClusterConditionAvailable"),
                    string.Join(",", (c["metadata"]?["labels"] as System.Text.Json.Nodes.JsonObject ?? []).Select(l => $"{l.Key}={l.Value}")));
            }
            table.Write(Console.Out);
            return 0;
        });
        return list;
    }

    private static Command Serve()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Data directory (state, certificates, kubeconfig)", Required = true };
        var port = new Option<int>("--port") { Description = "HTTPS port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var name = new Option<string>("--name") { Description = "Cluster name used in the kubeconfig", DefaultValueFactory = _ => "mcg" };
        // Hidden: lets tests make watches fall out of the history (410 Gone) quickly.
        var watchHistory = new Option<int>("--watch-history") { Description = "Changes kept for watches to replay", DefaultValueFactory = _ => 100_000, Hidden = true };
        var simulation = new SimulationOptions();
        var serve = new Command("serve", "Start a Kubernetes-compatible API server and write DIR/kubeconfig") { data, port, name, watchHistory };
        simulation.AddTo(serve);
        var logFormat = LogFormatOption.Create();
        serve.Options.Add(logFormat);
        serve.SetAction(async (parse, ct) =>
        {
            if (simulation.Validate(parse) is { } invalid)
            {
                Console.Error.WriteLine($"error: {invalid}");
                return 2;
            }
            using var loggers = Mcg.Observability.Logging.ConsoleLogging.Create(parse.GetValue(logFormat));
            using var metrics = new Mcg.Observability.Exposition.MetricsExporter();
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions
            {
                Metrics = metrics.HandleAsync,
                DataDirectory = parse.GetValue(data)!.FullName,
                Port = parse.GetValue(port),
                ClusterName = parse.GetValue(name)!,
                WatchHistory = Math.Max(1, parse.GetValue(watchHistory)),
            }, new ForwardingLoggerProvider(loggers), ct);
            await using var simulator = await simulation.StartAsync(parse, server, loggers, ct);
            Console.WriteLine($"API server listening on {server.Url}");
            Console.WriteLine($"kubeconfig: {server.KubeconfigPath}  (export KUBECONFIG={server.KubeconfigPath})");
            try
            {
                // SIGTERM and Ctrl+C cancel the command's token (the embedded host leaves the signals to the command).
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return serve;
    }

    /// <summary>Lets the server's host log through the CLI's console logger.</summary>
    internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
