using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Mcg.ApiServer.Tests.Support;
using Mcg.Fleet.Tests.Support;

namespace Mcg.Observability.Tests.Support;

/// <summary>
/// Shared by the process tests: a real hub, one virtual cluster ("east") with its agent serving metrics on a free
/// port, a least-privilege scrape token on the hub (deploy/prometheus/metrics-reader.yaml), and a real Prometheus
/// scraping all three every second with the project's alert rules loaded.
/// </summary>
public sealed partial class ObservedFleet : IAsyncLifetime
{
    public const string Cluster = "east";

    private readonly HttpClient _http = new(new HttpClientHandler
    {
        // Plain test client: Prometheus below checks the server certificate against the hub's CA for real.
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private ServerProcess? _cluster;

    public FleetProcesses Fleet { get; } = new();
    public string HubUrl { get; private set; } = "";
    public string AgentMetricsUrl { get; private set; } = "";
    public string ClusterUrl => _cluster!.Url;
    public string ScrapeToken { get; private set; } = "";
    public PrometheusProcess Prometheus { get; private set; } = null!;
    public Kubectl Hub => Fleet.Hub;
    public Kubectl ClusterKubectl => new(_cluster!.KubeconfigPath);
    public string ClusterAdminToken => File.ReadAllText(Path.Combine(_cluster!.DataDir, "admin-token")).Trim();

    public async Task InitializeAsync()
    {
        await Fleet.StartHubAsync();
        HubUrl = await WaitForLogAsync(HubListening());
        // No simulators: the tests set PVC and StorageCluster status themselves, and nothing else may change it.
        _cluster = await ServerProcess.StartAsync(Path.Combine(Fleet.Root, Cluster), "--no-simulators");
        Fleet.Clusters[Cluster] = _cluster;
        var bootstrap = Path.Combine(Fleet.Root, $"{Cluster}-bootstrap");
        var join = await Fleet.RunAsync("cluster", "join", Cluster, "--kubeconfig", Fleet.HubKubeconfig, "--output", bootstrap);
        Assert.True(join.ExitCode == 0, join.Err);
        Fleet.StartAgent(Cluster, "--hub-kubeconfig", bootstrap, "--label", "cloud=AWS", "--metrics-port", "0", "--log-format", "json");
        AgentMetricsUrl = await WaitForLogAsync(AgentMetrics());

        var rbac = await File.ReadAllTextAsync(RepoFiles.Path("deploy", "prometheus", "metrics-reader.yaml"));
        (await Hub.RunAsync("apply -f -", rbac)).Ok();
        ScrapeToken = (await Hub.RunAsync("-n mcg-monitoring create token mcg-prometheus --duration 2h")).Ok().Out.Trim();

        var dir = Path.Combine(Fleet.Root, "prometheus");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "hub.token"), ScrapeToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "cluster.token"), ClusterAdminToken);
        Prometheus = await PrometheusProcess.StartAsync(dir, $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {{RepoFiles.Path("deploy", "prometheus", "rules.yaml")}}
            scrape_configs:
              - job_name: mcg-hub
                scheme: https
                tls_config:
                  ca_file: {{Path.Combine(Fleet.Root, "hub", "api", "ca.crt")}}
                authorization:
                  credentials_file: hub.token
                static_configs:
                  - targets: ["{{new Uri(HubUrl).Authority}}"]
              - job_name: mcg-cluster
                scheme: https
                tls_config:
                  ca_file: {{Path.Combine(_cluster.DataDir, "ca.crt")}}
                authorization:
                  credentials_file: cluster.token
                static_configs:
                  - targets: ["{{new Uri(ClusterUrl).Authority}}"]
              - job_name: mcg-agent
                static_configs:
                  - targets: ["{{new Uri(AgentMetricsUrl).Authority}}"]
                    labels:
                      cluster: {{Cluster}}
            """);
    }

    /// <summary>
    /// A Git repository with one ConfigMap and an auto-synced Application of it on the hub itself (namespace argocd,
    /// destination namespace = the app's name); the caller disposes the repository.
    /// </summary>
    public async Task<Mcg.EndToEnd.Tests.Support.GitRepo> ApplyHubApplicationAsync(string app, string configMap)
    {
        var repo = new Mcg.EndToEnd.Tests.Support.GitRepo();
        repo.Write("app/cm.yaml", $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {configMap}
            data:
              text: hello
            """);
        repo.Commit("first");
        await Hub.RunAsync("create namespace argocd"); // the hub may have created it already
        (await Hub.RunAsync("apply -f -", $$"""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: {{app}}
              namespace: argocd
            spec:
              project: default
              source:
                repoURL: {{repo.Url}}
                targetRevision: main
                path: app
              destination:
                server: https://kubernetes.default.svc
                namespace: {{app}}
              syncPolicy:
                automated: {}
                syncOptions: [CreateNamespace=true]
            """)).Ok();
        return repo;
    }

    /// <summary>GET /metrics: the status code and the body.</summary>
    public async Task<(int Status, string Body, string? ContentType)> ScrapeAsync(string metricsUrl, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, metricsUrl);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }
        await Fleet.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task<string> WaitForLogAsync(Regex line)
    {
        var url = "";
        await Eventually.TrueAsync(() =>
        {
            var m = line.Match(Fleet.Log);
            url = m.Success ? m.Groups[1].Value : "";
            return Task.FromResult(url.Length > 0);
        }, $"a log line matching {line}", TimeSpan.FromSeconds(90));
        return url;
    }

    [GeneratedRegex(@"hub: hub listening on (https://\S+)")]
    private static partial Regex HubListening();

    [GeneratedRegex(@"agent-east: metrics on (http://\S+)")]
    private static partial Regex AgentMetrics();
}

/// <summary>The test classes that share one <see cref="ObservedFleet"/> (starting it is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class ObservedFleetCollection : ICollectionFixture<ObservedFleet>
{
    public const string Name = "observed fleet";
}
