using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Placement;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Tests.Placement;

/// <summary>
/// A real <c>mcg cluster serve</c> with the OCM hub CRDs and the placement controllers running in-process, plus
/// helpers that play the registration agent (cluster labels, claims, conditions, taints).
/// </summary>
public sealed class PlacementHubFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private ServerProcess? _server;
    private KubernetesClientKubeClient? _client;
    private Task _controllers = Task.CompletedTask;

    public IKubeClient Client => _client ?? throw new InvalidOperationException("not started");
    public CapturingLoggerFactory Logs { get; } = new();

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync();
        _client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.KubeconfigPath));
        await OcmCrds.InstallAsync(_client, OcmCrds.Hub, CancellationToken.None);
        _controllers = Task.Run(() => PlacementControllers.RunAsync(_client, Logs, _stop.Token));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _controllers;
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _stop.Dispose();
    }

    public async Task CreateNamespaceAsync(string ns) =>
        await Client.CreateAsync(ResourceRef.Namespaces, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = ns },
        });

    /// <summary>Creates a ManagedCluster and sets its status as its agent would (Available, claims).</summary>
    public async Task CreateClusterAsync(string name, Dictionary<string, string> labels, Dictionary<string, string>? claims = null, bool available = true)
    {
        await Client.CreateAsync(OcmCrds.ManagedClusters, new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManagedClusters.ApiVersion,
            ["kind"] = OcmCrds.ManagedClusters.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = ToJson(labels) },
            ["spec"] = new JsonObject { ["hubAcceptsClient"] = true },
        });
        await SetClusterStatusAsync(name, claims ?? [], available);
    }

    public async Task SetClusterStatusAsync(string name, Dictionary<string, string> claims, bool available) =>
        await Client.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge, new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = PlacementRuleSelector.AvailableCondition,
                    ["status"] = available ? "True" : "False",
                    ["reason"] = available ? "ManagedClusterAvailable" : "ManagedClusterLeaseUpdateStopped",
                    ["message"] = "",
                    ["lastTransitionTime"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                }),
                ["clusterClaims"] = new JsonArray(claims.Select(c => (JsonNode)new JsonObject { ["name"] = c.Key, ["value"] = c.Value }).ToArray()),
            },
        }, new PatchOptions { Subresource = "status" });

    public async Task PatchClusterAsync(string name, JsonObject patch) =>
        await Client.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge, patch);

    /// <summary>A LabelSelector ManagedClusterSet, bound to the namespace.</summary>
    public async Task CreateBoundSetAsync(string ns, string set, Dictionary<string, string> matchLabels)
    {
        await Client.CreateAsync(OcmCrds.ManagedClusterSets, new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManagedClusterSets.ApiVersion,
            ["kind"] = OcmCrds.ManagedClusterSets.Kind,
            ["metadata"] = new JsonObject { ["name"] = set },
            ["spec"] = new JsonObject
            {
                ["clusterSelector"] = new JsonObject
                {
                    ["selectorType"] = "LabelSelector",
                    ["labelSelector"] = new JsonObject { ["matchLabels"] = ToJson(matchLabels) },
                },
            },
        });
        await BindAsync(ns, set);
    }

    public async Task BindAsync(string ns, string set) =>
        await Client.CreateAsync(OcmCrds.ManagedClusterSetBindings, new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManagedClusterSetBindings.ApiVersion,
            ["kind"] = OcmCrds.ManagedClusterSetBindings.Kind,
            ["metadata"] = new JsonObject { ["name"] = set, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["clusterSet"] = set },
        });

    public async Task CreatePlacementAsync(string ns, string name, string specJson) =>
        await Client.CreateAsync(OcmCrds.Placements, new JsonObject
        {
            ["apiVersion"] = OcmCrds.Placements.ApiVersion,
            ["kind"] = OcmCrds.Placements.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = JsonNode.Parse(specJson),
        });

    public async Task<JsonObject> GetAsync(ResourceRef resource, string? ns, string name) =>
        await Client.GetAsync(resource, ns, name) ?? throw new Xunit.Sdk.XunitException($"{resource.Kind} {ns}/{name} not found");

    /// <summary>The clusters in the placement's PlacementDecisions, sorted.</summary>
    public async Task<IReadOnlyList<string>> DecisionsAsync(string ns, string placement)
    {
        var list = await Client.ListAsync(OcmCrds.PlacementDecisions, ns, new ListOptions { LabelSelector = $"{OcmLabels.Placement}={placement}" });
        return list.Items.SelectMany(FleetView.ClusterNames).Order(StringComparer.Ordinal).ToList();
    }

    public static string? ConditionOf(JsonObject obj, string type, string field = "status") =>
        StatusConditions.Find(obj["status"]?["conditions"] as JsonArray, type)?.GetString(field);

    /// <summary>Polls until the condition holds; a timeout reports the controllers' last log lines.</summary>
    public async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting until {what}{Environment.NewLine}{Logs.Tail()}");
            }
            await Task.Delay(50);
        }
    }

    public Task DecisionsBecomeAsync(string ns, string placement, params string[] clusters) =>
        EventuallyAsync(async () => (await DecisionsAsync(ns, placement)).SequenceEqual(clusters.Order(StringComparer.Ordinal)),
            $"placement {ns}/{placement} decides [{string.Join(",", clusters)}]");

    private static JsonObject ToJson(Dictionary<string, string> map) => new(map.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
}
