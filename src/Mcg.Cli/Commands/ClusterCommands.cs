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
        return cluster;
    }

    private static Command Serve()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Data directory (state, certificates, kubeconfig)", Required = true };
        var port = new Option<int>("--port") { Description = "HTTPS port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var name = new Option<string>("--name") { Description = "Cluster name used in the kubeconfig", DefaultValueFactory = _ => "mcg" };
        // Hidden: lets tests make watches fall out of the history (410 Gone) quickly.
        var watchHistory = new Option<int>("--watch-history") { Description = "Changes kept for watches to replay", DefaultValueFactory = _ => 100_000, Hidden = true };
        var serve = new Command("serve", "Start a Kubernetes-compatible API server and write DIR/kubeconfig") { data, port, name, watchHistory };
        serve.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions
            {
                DataDirectory = parse.GetValue(data)!.FullName,
                Port = parse.GetValue(port),
                ClusterName = parse.GetValue(name)!,
                WatchHistory = Math.Max(1, parse.GetValue(watchHistory)),
            }, new ForwardingLoggerProvider(loggers), ct);
            Console.WriteLine($"API server listening on {server.Url}");
            Console.WriteLine($"kubeconfig: {server.KubeconfigPath}  (export KUBECONFIG={server.KubeconfigPath})");
            try
            {
                // The host takes SIGTERM and Ctrl+C for itself (and stops); follow it as well as the command's own token.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, server.StopRequested);
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return serve;
    }

    /// <summary>Lets the server's host log through the CLI's console logger.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
