using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.GitOps.Webhooks;
using Mcg.Kube.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Bench;

/// <summary>
/// Commit → Synced through a push webhook for an application of 200 resources, and drift → healed latency, with the
/// API server, the application controller and a real Git repository in one process. No Argo CD runs here (no peer).
/// </summary>
public static class GitOpsBench
{
    private const string Secret = "bench-secret";

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var resources = 200;
        var commits = quick ? 3 : 7;
        var drifts = quick ? 20 : 100;
        var root = Directory.CreateTempSubdirectory("mcg-bench-gitops-").FullName;
        try
        {
            await using var server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(root, "cluster") });
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
            var repo = Path.Combine(root, "repo");
            Git(root, "init", "-q", "-b", "main", repo);
            Git(repo, "config", "user.email", "bench@example.com");
            Git(repo, "config", "user.name", "bench");
            WriteManifests(repo, resources, 0);
            Git(repo, "add", "-A");
            Git(repo, "commit", "-q", "-m", "v0");

            var repositories = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = Path.Combine(root, "repositories") });
            var source = new GitManifestSource(repositories, client, "argocd");
            await using var cache = new ClusterCache(client, NullLoggerFactory.Instance);
            var health = new HealthAssessor();
            await using var controller = new ApplicationController(client, cache, new AppComparer(source, new ManifestRenderer(), cache, health), health,
                new ApplicationControllerOptions { PollInterval = TimeSpan.FromMinutes(10) }, NullLoggerFactory.Instance);
            var webhook = new WebhookRefresher(new WebhookParser(new WebhookSecrets(Secret)), controller, source, NullLogger<WebhookRefresher>.Instance);
            using var stop = new CancellationTokenSource();
            var run = controller.RunAsync(stop.Token);
            await WaitAsync(async () => await client.GetAsync(ApplicationController.AppProjects, "argocd", "default") is not null);
            await client.CreateAsync(ApplicationController.Applications, (JsonObject)JsonNode.Parse($$"""
                {"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"bench","namespace":"argocd"},
                 "spec":{"project":"default","source":{"repoURL":"{{new Uri(repo).AbsoluteUri}}","targetRevision":"main","path":"app"},
                 "destination":{"server":"https://kubernetes.default.svc","namespace":"bench"},
                 "syncPolicy":{"automated":{"prune":true,"selfHeal":true},"syncOptions":["CreateNamespace=true"]} } }
                """)!);
            var head = Git(repo, "rev-parse", "HEAD").Trim();
            await WaitAsync(() => SyncedAtAsync(client, head));

            var commitTimes = new List<double>();
            for (var i = 1; i <= commits; i++)
            {
                WriteManifests(repo, resources, i);
                Git(repo, "add", "-A");
                Git(repo, "commit", "-q", "-m", $"v{i}");
                head = Git(repo, "rev-parse", "HEAD").Trim();
                var sw = Stopwatch.StartNew();
                Push(webhook, new Uri(repo).AbsoluteUri, head);
                await WaitAsync(() => SyncedAtAsync(client, head));
                commitTimes.Add(sw.Elapsed.TotalMilliseconds);
            }

            var healTimes = new List<double>();
            var expected = $"value-{commits}-7";
            for (var i = 0; i < drifts; i++)
            {
                var sw = Stopwatch.StartNew();
                await client.PatchAsync(ResourceRef.ConfigMaps, "bench", "cm-007", PatchType.Merge, JsonNode.Parse("""{"data":{"value":"drifted"}}""")!);
                await WaitAsync(async () => (await client.GetAsync(ResourceRef.ConfigMaps, "bench", "cm-007"))?["data"]?["value"]?.GetValue<string>() == expected, pollMs: 2);
                healTimes.Add(sw.Elapsed.TotalMilliseconds);
            }
            await stop.CancelAsync();
            await run.ContinueWith(_ => { }, TaskScheduler.Default);
            commitTimes.Sort();
            healTimes.Sort();
            return
            [
                new BenchRow($"commit -> Synced, {resources} resources, webhook (median)", commitTimes[commitTimes.Count / 2], "ms", null, "< 2000", false),
                new BenchRow($"commit -> Synced, {resources} resources, webhook (max)", commitTimes[^1], "ms", null, "< 2000", false),
                new BenchRow("drift -> healed p50", healTimes[healTimes.Count / 2], "ms", null, "-", false),
                new BenchRow("drift -> healed p99", healTimes[(int)(healTimes.Count * 0.99)], "ms", null, "< 1000", false),
            ];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<bool> SyncedAtAsync(IKubeClient client, string revision)
    {
        var app = await client.GetAsync(ApplicationController.Applications, "argocd", "bench");
        return app?["status"]?["sync"]?["revision"]?.GetValue<string>() == revision && app["status"]?["sync"]?["status"]?.GetValue<string>() == "Synced";
    }

    private static void WriteManifests(string repo, int count, int version)
    {
        var dir = Path.Combine(repo, "app");
        Directory.CreateDirectory(dir);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:D3}\ndata:\n  value: value-{version}-{i}\n---\n");
        }
        File.WriteAllText(Path.Combine(dir, "configmaps.yaml"), text.ToString());
    }

    private static void Push(WebhookRefresher webhook, string repoUrl, string after)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["ref"] = "refs/heads/main",
            ["after"] = after,
            ["repository"] = new JsonObject { ["html_url"] = repoUrl, ["clone_url"] = repoUrl, ["default_branch"] = "main" },
        }.ToJsonString());
        var signature = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)).ToLowerInvariant();
        var (status, message) = webhook.Handle([new("X-GitHub-Event", "push"), new("X-Hub-Signature-256", signature)], body);
        if (status != 200)
        {
            throw new InvalidOperationException($"webhook answered {status}: {message}");
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, int pollMs = 10)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException("benchmark condition not reached in 120 s");
            }
            await Task.Delay(pollMs);
        }
    }

    private static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }
}
