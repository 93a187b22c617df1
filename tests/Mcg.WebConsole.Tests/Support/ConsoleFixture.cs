using System.Net;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;

namespace Mcg.WebConsole.Tests.Support;

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}

/// <summary>
/// One real fleet for every console test: <c>mcg hub --console-port 0</c>, a virtual cluster with its agent (aws-1),
/// a ManagedCluster that never reports (gcp-2), a Git repository with a manual-sync application on the hub
/// (OutOfSync until someone syncs it), a manual one whose ConfigMap was changed on the hub (drift), an automated one on aws-1 that delivers a Secret, and an inform policy.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>The value of the Secret the sample app delivers: no console page may ever contain it.</summary>
    public string SecretValue { get; } = "never-shown-" + Guid.NewGuid().ToString("N");

    public FleetProcesses Fleet { get; } = new();
    public GitRepo Repo { get; } = new();
    public string Url { get; private set; } = "";
    public string Token { get; private set; } = "";
    public Kubectl Hub => Fleet.Hub;

    public async Task InitializeAsync()
    {
        Repo.Write("guestbook/greeting.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: greeting}\ndata: {text: hello}\n");
        Repo.Write("drift/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: git}\n");
        Repo.Write("secret-demo/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: demo}\n");
        var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SecretValue));
        Repo.Write("drift/credentials.yaml", $"apiVersion: v1\nkind: Secret\nmetadata: {{name: drift-credentials}}\ntype: Opaque\ndata: {{password: {encoded}}}\n");
        Repo.Write("secret-demo/secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata: {{name: demo-credentials}}\ntype: Opaque\ndata: {{password: {encoded}}}\n");
        // Status the hub sees only through the agent's ManifestWork feedback: an ExternalSecret whose store does not
        // exist (ESO reports it not Ready) and a PVC (its phase).
        Repo.Write("secret-demo/external-secret.yaml", """
            apiVersion: external-secrets.io/v1
            kind: ExternalSecret
            metadata: {name: demo-es}
            spec:
              refreshInterval: 1m
              secretStoreRef: {name: no-such-store, kind: ClusterSecretStore}
              target: {name: demo-es}
              data:
                - secretKey: password
                  remoteRef: {key: secret/data/global/demo, property: password}
            """);
        Repo.Write("secret-demo/pvc.yaml", """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: demo-data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            """);
        Repo.Commit("first");

        await Fleet.StartHubAsync("--console-port", "0", "--app-resync", "2");
        var urlFile = Path.Combine(Fleet.Root, "hub", "console-url");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(urlFile) && File.ReadAllText(urlFile).EndsWith('\n')), $"the hub writes {urlFile}", TimeSpan.FromSeconds(60));
        Url = File.ReadAllText(urlFile).Trim();
        Token = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Fleet.HubKubeconfig).AccessToken
            ?? throw new InvalidOperationException("the hub kubeconfig has no token");
        await Fleet.AddClusterAsync("aws-1", "cloud=AWS", "clusterGroup=group-one");

        (await Hub.RunAsync("apply -f -", $$$"""
            apiVersion: cluster.open-cluster-management.io/v1
            kind: ManagedCluster
            metadata: {name: gcp-2, labels: {cloud: GCP}}
            spec: {hubAcceptsClient: true}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: guestbook, namespace: argocd}
            spec:
              project: default
              source: {repoURL: '{{{Repo.Url}}}', targetRevision: main, path: guestbook}
              destination: {name: in-cluster, namespace: console-demo}
              syncPolicy:
                syncOptions: [CreateNamespace=true]
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: console-drift}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: console-drift}
            data: {mode: live}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: drift, namespace: argocd}
            spec:
              project: default
              source: {repoURL: '{{{Repo.Url}}}', targetRevision: main, path: drift}
              destination: {name: in-cluster, namespace: console-drift}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: secret-demo, namespace: argocd}
            spec:
              project: default
              source: {repoURL: '{{{Repo.Url}}}', targetRevision: main, path: secret-demo}
              destination: {name: aws-1, namespace: demo}
              syncPolicy:
                automated: {}
                syncOptions: [CreateNamespace=true]
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: policies}
            ---
            apiVersion: cluster.open-cluster-management.io/v1beta2
            kind: ManagedClusterSetBinding
            metadata: {name: global, namespace: policies}
            spec: {clusterSet: global}
            ---
            apiVersion: cluster.open-cluster-management.io/v1beta1
            kind: Placement
            metadata: {name: group-one, namespace: policies}
            spec:
              predicates:
              - requiredClusterSelector:
                  labelSelector: {matchLabels: {clusterGroup: group-one}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: Policy
            metadata: {name: demo-namespace, namespace: policies}
            spec:
              remediationAction: inform
              disabled: false
              policy-templates:
                - objectDefinition:
                    apiVersion: policy.open-cluster-management.io/v1
                    kind: ConfigurationPolicy
                    metadata: {name: demo-namespace}
                    spec:
                      remediationAction: inform
                      severity: low
                      object-templates:
                        - complianceType: musthave
                          objectDefinition: {apiVersion: v1, kind: Namespace, metadata: {name: demo}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: PlacementBinding
            metadata: {name: demo-namespace, namespace: policies}
            placementRef: {name: group-one, kind: Placement, apiGroup: cluster.open-cluster-management.io}
            subjects:
              - {name: demo-namespace, kind: Policy, apiGroup: policy.open-cluster-management.io}
            """)).Ok();

        await WaitAsync(async () => await AppSyncAsync("guestbook") == "OutOfSync", "guestbook is OutOfSync");
        await WaitAsync(async () => await AppSyncAsync("secret-demo") == "Synced", "secret-demo is Synced on aws-1");
        await WaitAsync(async () => (await GetJsonAsync("-n policies policy demo-namespace"))?["status"]?["compliant"]?.ToString() is "Compliant", "the policy is Compliant");
    }

    public async Task<string?> AppSyncAsync(string name) =>
        (await GetJsonAsync($"-n argocd app {name}"))?["status"]?["sync"]?["status"]?.ToString();

    public async Task<JsonObject?> GetJsonAsync(string what)
    {
        var r = await Hub.RunAsync($"get {what} -o json");
        return r.ExitCode == 0 ? JsonNode.Parse(r.Out) as JsonObject : null;
    }

    public async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 120)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- processes ---\n{Fleet.Log}");
        }
    }

    /// <summary>An HTTP client that keeps cookies and does not follow redirects (so tests see them).</summary>
    public HttpClient NewClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };
    }

    /// <summary>A client logged in with the hub token.</summary>
    public async Task<HttpClient> LoginAsync()
    {
        var client = NewClient(out _);
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = Token }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        Repo.Dispose();
    }
}
