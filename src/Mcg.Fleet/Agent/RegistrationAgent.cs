using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Agent;

/// <summary>
/// The klusterlet's registration agent: registers the cluster with its bootstrap credential, waits for the hub to
/// accept it and hand over the agent credential, then keeps the ManagedCluster's status (joined, available, claims,
/// version, capacity) and its lease fresh.
/// </summary>
public sealed class RegistrationAgent(AgentOptions options, IKubeClient managed, ILogger<RegistrationAgent> logger, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string HubKubeconfigPath => Path.Combine(options.DataDirectory, "hub-kubeconfig");

    /// <summary>Returns a hub client with the agent credential, registering first when there is none yet.</summary>
    public async Task<KubernetesClientKubeClient> ConnectAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.DataDirectory);
        if (!File.Exists(HubKubeconfigPath))
        {
            if (options.BootstrapKubeconfig is null)
            {
                throw new InvalidOperationException($"{HubKubeconfigPath} does not exist and no bootstrap kubeconfig was given (mcg cluster join prints one)");
            }
            await RegisterAsync(options.BootstrapKubeconfig, ct);
        }
        return new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(HubKubeconfigPath));
    }

    public async Task RunAsync(IKubeClient hub, CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.LeaseDurationSeconds));
        using var timer = new PeriodicTimer(interval, _clock);
        do
        {
            try
            {
                await ReportAsync(hub, ct);
                await RenewLeaseAsync(hub, ct);
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
            {
                logger.LogWarning("cannot reach the hub: {Message}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task RegisterAsync(string bootstrapKubeconfig, CancellationToken ct)
    {
        using var bootstrap = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(bootstrapKubeconfig));
        var cluster = new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManagedClusters.ApiVersion,
            ["kind"] = "ManagedCluster",
            ["metadata"] = new JsonObject
            {
                ["name"] = options.ClusterName,
                ["labels"] = new JsonObject(options.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
            },
            ["spec"] = new JsonObject
            {
                ["hubAcceptsClient"] = false,
                ["leaseDurationSeconds"] = options.LeaseDurationSeconds,
            },
        };
        if (ClientConfigs() is { } configs)
        {
            cluster["spec"]!["managedClusterClientConfigs"] = configs;
        }
        try
        {
            await bootstrap.CreateAsync(OcmCrds.ManagedClusters, cluster, null, ct);
            logger.LogInformation("registered managed cluster {Cluster}; waiting for the hub to accept it", options.ClusterName);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
        }
        string token;
        while (true)
        {
            try
            {
                var secret = await bootstrap.GetAsync(ResourceRef.Secrets, options.ClusterName, FleetRbac.CredentialSecret, ct);
                if (secret?["data"]?["token"]?.GetValue<string>() is { } encoded)
                {
                    token = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    break;
                }
            }
            catch (KubeApiException e) when (e.StatusCode == 403)
            {
                // Not accepted yet: the hub grants access to the credential when it accepts the cluster.
            }
            await Task.Delay(500, ct);
        }
        var config = (JsonObject)YamlJson.Parse(await File.ReadAllTextAsync(bootstrapKubeconfig, ct), bootstrapKubeconfig)!;
        foreach (var user in (config["users"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            user["user"] = new JsonObject { ["token"] = token };
        }
        var temp = HubKubeconfigPath + ".tmp";
        await File.WriteAllTextAsync(temp, YamlJson.ToYaml(config), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, HubKubeconfigPath, overwrite: true);
        logger.LogInformation("managed cluster {Cluster} accepted by the hub", options.ClusterName);
    }

    private async Task ReportAsync(IKubeClient hub, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var current = await hub.GetAsync(OcmCrds.ManagedClusters, null, options.ClusterName, ct);
        if (current is null)
        {
            return;
        }
        if (ClientConfigs() is { } configs && !JsonNode.DeepEquals(configs, current["spec"]?["managedClusterClientConfigs"]))
        {
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, options.ClusterName, PatchType.Merge,
                new JsonObject { ["spec"] = new JsonObject { ["managedClusterClientConfigs"] = configs } }, null, ct);
        }
        var status = current["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        Conditions.Set(status, "ManagedClusterJoined", "True", "ManagedClusterJoined", "Managed cluster joined", now);
        var (available, nodes) = await ProbeAsync(ct);
        if (available)
        {
            Conditions.Set(status, "ManagedClusterConditionAvailable", "True", "ManagedClusterAvailable", "Managed cluster is available", now);
        }
        else
        {
            Conditions.Set(status, "ManagedClusterConditionAvailable", "False", "ManagedClusterKubeAPIServerUnavailable", "The kube-apiserver is not ok", now);
        }
        var claims = new Dictionary<string, string>
        {
            ["id.k8s.io"] = options.ClusterName,
            ["kubeversion.open-cluster-management.io"] = "v1.31.0",
        };
        foreach (var (k, v) in options.Claims)
        {
            claims[k.Contains('.') ? k : $"{k}.open-cluster-management.io"] = v;
        }
        status["clusterClaims"] = new JsonArray(claims.OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => (JsonNode)new JsonObject { ["name"] = c.Key, ["value"] = c.Value }).ToArray());
        status["version"] = new JsonObject { ["kubernetes"] = "v1.31.0" };
        status["allocatable"] = new JsonObject { ["cpu"] = $"{nodes * 4}", ["memory"] = $"{nodes * 16}Gi" };
        status["capacity"] = new JsonObject { ["cpu"] = $"{nodes * 4}", ["memory"] = $"{nodes * 16}Gi" };
        if (!JsonNode.DeepEquals(status, current["status"]))
        {
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, options.ClusterName, PatchType.Merge, new JsonObject { ["status"] = status }, new PatchOptions { Subresource = "status" }, ct);
        }
    }

    /// <summary>OCM's <c>spec.managedClusterClientConfigs</c>: the cluster's API URL and CA bundle (base64 PEM).</summary>
    private JsonArray? ClientConfigs()
    {
        if (options.ManagedClusterUrl is null)
        {
            return null;
        }
        var config = new JsonObject { ["url"] = options.ManagedClusterUrl };
        if (options.ManagedClusterCaPem is { Length: > 0 } ca)
        {
            config["caBundle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(ca));
        }
        return new JsonArray(config);
    }

    /// <summary>Whether the managed cluster's API answers, and its node count.</summary>
    private async Task<(bool Available, int Nodes)> ProbeAsync(CancellationToken ct)
    {
        try
        {
            var nodes = await managed.ListAsync(new ResourceRef("", "v1", "nodes", "Node", false), null, null, ct);
            return (true, Math.Max(nodes.Items.Count, 1));
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            return (false, 0);
        }
    }

    private async Task RenewLeaseAsync(IKubeClient hub, CancellationToken ct)
    {
        var now = Conditions.MicroTime(_clock.GetUtcNow());
        var lease = new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = LeaseController.LeaseName, ["namespace"] = options.ClusterName },
            ["spec"] = new JsonObject { ["holderIdentity"] = options.ClusterName, ["leaseDurationSeconds"] = options.LeaseDurationSeconds, ["renewTime"] = now },
        };
        await hub.ApplyAsync(ResourceRef.Leases, lease, new ApplyOptions("registration-agent") { Force = true }, ct);
    }
}
