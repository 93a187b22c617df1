using System.CommandLine;
using System.Net;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.GitOps.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg gitops run</c>: the Argo CD application controller against a cluster, with the push webhook endpoint.</summary>
public static class GitOpsCommands
{
    public static Command Create()
    {
        var gitops = new Command("gitops", "GitOps delivery: the Argo CD-compatible application controller");
        gitops.Subcommands.Add(Run());
        return gitops;
    }

    private static Command Run()
    {
        var kube = new KubeOptions();
        var data = new Option<DirectoryInfo>("--data") { Description = "Directory for the repository cache", Required = true };
        var controlNamespace = new Option<string>("--control-namespace") { Description = "Namespace of AppProjects and repository Secrets", DefaultValueFactory = _ => "argocd" };
        var poll = new Option<int>("--poll-seconds") { Description = "How often each application's revision is resolved again", DefaultValueFactory = _ => 60 };
        var webhookPort = new Option<int>("--webhook-port") { Description = "Port on 127.0.0.1 of the push webhook (0: any free port)", DefaultValueFactory = _ => 0 };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "Shared secret for GitHub/GitLab/Gitea webhooks (default: $MCG_WEBHOOK_SECRET)" };
        var cmd = new Command("run", "Run the application controller until interrupted") { data, controlNamespace, poll, webhookPort, webhookSecret };
        cmd.Options.Add(kube.Kubeconfig);
        cmd.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            using var client = kube.Connect(parse);
            var dataDir = parse.GetValue(data)!.FullName;
            Directory.CreateDirectory(dataDir);
            var ns = parse.GetValue(controlNamespace)!;
            var repositories = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = Path.Combine(dataDir, "repositories") }, loggers.CreateLogger<RepositoryCache>());
            var source = new GitManifestSource(repositories, client, ns);
            await using var cache = new ClusterCache(client, loggers);
            var health = new HealthAssessor();
            var comparer = new AppComparer(source, new ManifestRenderer(), cache, health);
            await using var controller = new ApplicationController(client, cache, comparer, health,
                new ApplicationControllerOptions { ControlNamespace = ns, PollInterval = TimeSpan.FromSeconds(parse.GetValue(poll)) }, loggers);
            var secret = parse.GetValue(webhookSecret) ?? Environment.GetEnvironmentVariable("MCG_WEBHOOK_SECRET");
            var refresher = new WebhookRefresher(new WebhookParser(new WebhookSecrets(secret, secret, secret)), controller, source, loggers.CreateLogger<WebhookRefresher>());
            await using var webhook = await StartWebhookAsync(refresher, parse.GetValue(webhookPort), ct);
            var url = webhook.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Console.WriteLine($"webhook listening on {url}/api/webhook");
            File.WriteAllText(Path.Combine(dataDir, "webhook-url"), $"{url}/api/webhook");
            try
            {
                await controller.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return cmd;
    }

    private static async Task<WebApplication> StartWebhookAsync(WebhookRefresher refresher, int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapPost("/api/webhook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            var headers = http.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
            var (status, message) = refresher.Handle(headers, buffer.ToArray());
            return Results.Text(message, statusCode: status);
        });
        await app.StartAsync(ct);
        return app;
    }
}
