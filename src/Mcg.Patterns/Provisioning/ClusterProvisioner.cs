using System.Text.Json.Nodes;
using Mcg.Fleet;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Patterns.Controller;
using Mcg.Patterns.Generation;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Patterns.Provisioning;

/// <summary>
/// Hive's role on the hub: a reconcile loop over ClusterDeployments and ClusterClaims (of ClusterPools) that brings
/// up a cluster per object through a driver — the one named by the <c>provisioner.mcg.io/driver</c> annotation, else
/// the hub's default — and removes it when the object is deleted (finalizer <c>hive.openshift.io/deprovision</c>).
/// Status: condition <c>Provisioned</c>; a driver mcg does not have yields <c>ProvisionStopped</c> with the reason.
/// </summary>
public sealed class ClusterProvisioner : IReconciler
{
    public const string DriverAnnotation = "provisioner.mcg.io/driver";
    public const string Finalizer = "hive.openshift.io/deprovision";
    private const string DeploymentPrefix = "cd:";
    private const string ClaimPrefix = "claim:";

    private readonly IKubeClient _client;
    private readonly IReadOnlyDictionary<string, IClusterDriver> _drivers;
    private readonly string _defaultDriver;
    private readonly ILogger _logger;

    public ClusterProvisioner(IKubeClient client, IEnumerable<IClusterDriver> drivers, string defaultDriver, ILoggerFactory loggers)
    {
        _client = client;
        _drivers = drivers.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _defaultDriver = defaultDriver;
        _logger = loggers.CreateLogger<ClusterProvisioner>();
        Deployments = new Informer(client, PatternCrds.ClusterDeployments, new InformerOptions(), loggers.CreateLogger<Informer>());
        Claims = new Informer(client, PatternCrds.ClusterClaims, new InformerOptions(), loggers.CreateLogger<Informer>());
        Controller = new KubeController("cluster-provisioner", this, new ControllerOptions(), loggers.CreateLogger<KubeController>());
        Controller.Watch(Deployments, o => [DeploymentPrefix + ObjectKeys.KeyOf(o)]);
        Controller.Watch(Claims, o => [ClaimPrefix + ObjectKeys.KeyOf(o)]);
    }

    public Informer Deployments { get; }
    public Informer Claims { get; }
    public KubeController Controller { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var isClaim = key.StartsWith(ClaimPrefix, StringComparison.Ordinal);
        var objectKey = key[(isClaim ? ClaimPrefix : DeploymentPrefix).Length..];
        var resource = isClaim ? PatternCrds.ClusterClaims : PatternCrds.ClusterDeployments;
        var cached = (isClaim ? Claims : Deployments).GetByKey(objectKey);
        if (cached is null)
        {
            return ReconcileResult.Done;
        }
        var obj = (JsonObject)cached.DeepClone();
        var clusterName = isClaim ? obj.Name()! : obj["spec"]?["clusterName"]?.GetValue<string>() ?? obj.Name()!;
        var driverName = obj.Annotations().GetValueOrDefault(DriverAnnotation) ?? _defaultDriver;
        _drivers.TryGetValue(driverName, out var driver);

        if (obj["metadata"]?["deletionTimestamp"] is not null)
        {
            if (obj.Finalizers().Contains(Finalizer))
            {
                if (driver is not null)
                {
                    await driver.DeleteAsync(clusterName, ct);
                }
                if (isClaim)
                {
                    await _client.DeleteAsync(OcmCrds.ManagedClusters, null, clusterName, null, ct);
                }
                await PatchFinalizersAsync(resource, obj, obj.Finalizers().Where(f => f != Finalizer), ct);
                _logger.LogInformation("Deprovisioned {Cluster} ({Kind} {Key})", clusterName, resource.Kind, objectKey);
            }
            return ReconcileResult.Done;
        }

        var status = obj["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        var now = DateTimeOffset.UtcNow;
        if (driver is null)
        {
            Conditions.Set(status, "ProvisionStopped", "True", "UnknownProvisioner",
                $"no cluster provisioner \"{driverName}\" on this hub (available: {string.Join(", ", _drivers.Keys.Order(StringComparer.Ordinal))}); cloud provisioners are not part of mcg", now);
            Conditions.Set(status, "Provisioned", "False", "UnknownProvisioner", $"cannot provision {clusterName}", now);
            await WriteStatusAsync(resource, obj, status, ct);
            return ReconcileResult.Done;
        }
        if (!obj.Finalizers().Contains(Finalizer))
        {
            await PatchFinalizersAsync(resource, obj, obj.Finalizers().Append(Finalizer), ct);
        }
        var request = await RequestAsync(obj, isClaim, clusterName, ct);
        if (request is null)
        {
            Conditions.Set(status, "Provisioned", "False", "ClusterPoolNotFound", $"cluster pool \"{obj["spec"]?["clusterPoolName"]}\" not found in {obj.Namespace()}", now);
            await WriteStatusAsync(resource, obj, status, ct);
            return ReconcileResult.After(TimeSpan.FromSeconds(10));
        }
        string message;
        try
        {
            message = await driver.EnsureAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Conditions.Set(status, "Provisioned", "False", "ProvisionFailed", $"driver {driver.Name}: {e.Message}", now);
            await WriteStatusAsync(resource, obj, status, ct);
            throw;
        }
        Conditions.Set(status, "ProvisionStopped", "False", "Provisioning", $"driver {driver.Name}", now);
        Conditions.Set(status, "Provisioned", "True", "Provisioned", message, now);
        await WriteStatusAsync(resource, obj, status, ct);
        return ReconcileResult.After(TimeSpan.FromSeconds(30)); // restarts a crashed cluster
    }

    /// <summary>The cluster's platform and labels: a deployment's own platform and its ManagedCluster's labels; a claim's pool platform and its labels.</summary>
    private async Task<ClusterRequest?> RequestAsync(JsonObject obj, bool isClaim, string clusterName, CancellationToken ct)
    {
        JsonObject? platformHolder = obj;
        var installConfig = obj["spec"]?["provisioning"]?["installConfigSecretRef"]?["name"]?.GetValue<string>();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (isClaim)
        {
            var poolName = obj["spec"]?["clusterPoolName"]?.GetValue<string>() ?? "";
            platformHolder = await _client.GetAsync(PatternCrds.ClusterPools, obj.Namespace(), poolName, ct);
            if (platformHolder is null)
            {
                return null;
            }
            installConfig = platformHolder["spec"]?["installConfigSecretTemplateRef"]?["name"]?.GetValue<string>();
            foreach (var (k, v) in obj.Labels())
            {
                labels[k] = v;
            }
        }
        else if (await _client.GetAsync(OcmCrds.ManagedClusters, null, clusterName, ct) is { } managed)
        {
            foreach (var (k, v) in managed.Labels().Where(l => l.Key != PatternLabels.Owner))
            {
                labels[k] = v;
            }
        }
        var platform = (platformHolder["spec"]?["platform"] as JsonObject)?.FirstOrDefault().Key ?? "none";
        labels["cloud"] = HiveGenerator.PlatformLabel(platform);
        var secret = installConfig is null ? null : await _client.GetAsync(ResourceRef.Secrets, platformHolder.Namespace(), installConfig, ct);
        return new ClusterRequest(clusterName, platform, InstallConfig.WorkerReplicas(secret), labels);
    }

    private async Task PatchFinalizersAsync(ResourceRef resource, JsonObject obj, IEnumerable<string> finalizers, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)f).ToArray()),
                ["resourceVersion"] = obj.ResourceVersion(),
            },
        };
        await _client.PatchAsync(resource, obj.Namespace(), obj.Name()!, PatchType.Merge, patch, null, ct);
    }

    private async Task WriteStatusAsync(ResourceRef resource, JsonObject obj, JsonObject status, CancellationToken ct)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
        {
            return;
        }
        try
        {
            await _client.PatchAsync(resource, obj.Namespace(), obj.Name()!, PatchType.Merge, new JsonObject { ["status"] = status }, new PatchOptions { Subresource = "status" }, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
    }
}
