using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Tests.Support;

/// <summary>
/// One real <c>mcg cluster serve</c> process with its simulators (4 nodes, a short eviction delay), shared by the
/// tests of a collection; each test works in its own namespace and recovers any node it fails.
/// </summary>
public sealed class VirtualClusterFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private KubernetesClientKubeClient? _client;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("not started");
    public IKubeClient Client => _client ?? throw new InvalidOperationException("not started");
    public Kubectl Kubectl => new(Server.KubeconfigPath);

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(null, "--nodes", "4", "--eviction-delay", "1s");
        _client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.KubeconfigPath));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private Task? _portworx;

    /// <summary>Creates the <c>portworx</c> StorageCluster once (as the pattern's chart does) and waits until it is Running.</summary>
    public Task EnsurePortworxAsync() => _portworx ??= InstallPortworxAsync();

    private async Task InstallPortworxAsync()
    {
        if (await Client.GetAsync(ResourceRef.Namespaces, null, "portworx") is null)
        {
            await Client.CreateAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "portworx" } });
        }
        await ApplyAsync("portworx", StorageClusterYaml);
        await WaitForAsync(Resources.StorageClusters, "portworx", "px-cluster-test", c => c["status"]?["phase"]?.GetValue<string>() == "Running", "Running", 90);
    }

    /// <summary>The StorageCluster the pattern's <c>charts/all/portworx</c> renders (cloud drives of 20 GiB).</summary>
    public const string StorageClusterYaml = """
        apiVersion: core.libopenstorage.org/v1
        kind: StorageCluster
        metadata:
          name: px-cluster-test
          annotations: {portworx.io/is-openshift: "true"}
        spec:
          deleteStrategy: {type: UninstallAndWipe}
          env: [{name: PX_NAMESPACE, value: portworx}]
          image: portworx/oci-monitor:3.0.3
          kvdb: {internal: true}
          cloudStorage:
            deviceSpecs: ["type=gp2,size=20"]
            journalDeviceSpec: auto
            kvdbDeviceSpec: type=gp2,size=150
          secretsProvider: k8s
          stork: {enabled: true, args: {webhook-controller: "true"}, image: openstorage/stork:23.8.0}
          autopilot: {enabled: true, image: portworx/autopilot:1.3.11}
          csi: {enabled: true}
        """;

    /// <summary>Runs a simulated command in a pod through <c>mcg cluster exec</c> (the API's pods/exec).</summary>
    public async Task<(int Exit, string Out, string Err)> ExecAsync(string ns, string pod, params string[] command) =>
        await McgAsync([.. new[] { "cluster", "exec", pod, "-n", ns, "--" }, .. command]);

    /// <summary>Creates a fresh namespace for one test.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CreateAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        return name;
    }

    /// <summary>Creates every object of a YAML stream in <paramref name="ns"/> (cluster-scoped ones as they are).</summary>
    public async Task ApplyAsync(string ns, string yaml)
    {
        foreach (var doc in YamlJson.ParseAll(yaml).OfType<JsonObject>())
        {
            var resource = await Client.ResolveAsync(doc);
            if (resource.Namespaced)
            {
                doc.Metadata()["namespace"] = ns;
            }
            await Client.CreateAsync(resource, doc);
        }
    }

    public async Task<JsonObject> GetAsync(ResourceRef resource, string? ns, string name) =>
        await Client.GetAsync(resource, ns, name) ?? throw new Xunit.Sdk.XunitException($"{resource.Resource} {ns}/{name} not found");

    /// <summary>Polls until <paramref name="condition"/> holds for the object (generous: the machine is shared).</summary>
    public async Task<JsonObject> WaitForAsync(ResourceRef resource, string? ns, string name, Func<JsonObject, bool> condition, string what, int seconds = 60)
    {
        JsonObject? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await Client.GetAsync(resource, ns, name);
            return last is not null && condition(last);
        }, $"{resource.Resource} {ns}/{name}: {what} (last seen: {last?["status"]?.ToJsonString()})", TimeSpan.FromSeconds(seconds));
        return last!;
    }

    public async Task<List<JsonObject>> EventsAsync(string ns, string involvedName) =>
        [.. (await Client.ListAsync(ResourceRef.Events, ns)).Items.Where(e => e["involvedObject"]?["name"]?.GetValue<string>() == involvedName)];

    /// <summary>Waits for an event about <paramref name="involvedName"/> with this reason; returns its message.</summary>
    public async Task<string> WaitForEventAsync(string ns, string involvedName, string reason, Func<string, bool>? message = null, int seconds = 60)
    {
        string? found = null;
        await Eventually.TrueAsync(async () =>
        {
            found = (await EventsAsync(ns, involvedName)).Select(e => (Reason: e["reason"]?.GetValue<string>(), Message: e["message"]?.GetValue<string>() ?? ""))
                .Where(e => e.Reason == reason && (message is null || message(e.Message))).Select(e => e.Message).FirstOrDefault();
            return found is not null;
        }, $"a {reason} event on {ns}/{involvedName}", TimeSpan.FromSeconds(seconds));
        return found!;
    }

    /// <summary>Runs <c>mcg ARGS</c> against this cluster; returns exit code, stdout and stderr.</summary>
    public Task<(int Exit, string Out, string Err)> McgAsync(params string[] args) => McgCli.RunAsync(Server.KubeconfigPath, args);
}

[CollectionDefinition(Name)]
public sealed class VirtualClusterCollection : ICollectionFixture<VirtualClusterFixture>
{
    public const string Name = "virtual cluster";
}
