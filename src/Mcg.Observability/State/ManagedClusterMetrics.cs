using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Fleet;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// ManagedCluster state: ACM's <c>acm_managed_cluster_info</c> (one series per cluster; <c>available</c> is the
/// ManagedClusterConditionAvailable status) and <c>mcg_managedcluster_lease_age_seconds</c> (time since the agent last
/// renewed its <c>managed-cluster-lease</c> in the cluster namespace).
/// </summary>
public sealed class ManagedClusterMetrics : IStateCollector
{
    private readonly Informer _clusters;
    private readonly Informer _leases;
    private readonly GaugeSeries _info;
    private readonly GaugeSeries _leaseAge;

    public ManagedClusterMetrics(IKubeClient client, IMetricFactory metrics)
    {
        _clusters = new Informer(client, OcmCrds.ManagedClusters);
        _leases = new Informer(client, ResourceRef.Leases, new InformerOptions { FieldSelector = $"metadata.name={LeaseController.LeaseName}" });
        _info = new GaugeSeries(metrics.CreateGauge("acm_managed_cluster_info", "Managed cluster information.",
            ["managed_cluster_name", "managed_cluster_id", "vendor", "cloud", "version", "available", "created_via", "hub_cluster_id"]));
        _leaseAge = new GaugeSeries(metrics.CreateGauge("mcg_managedcluster_lease_age_seconds",
            "Seconds since the managed cluster's agent last renewed its lease.", ["managed_cluster_name"]));
    }

    public IReadOnlyList<Informer> Informers => [_clusters, _leases];

    public void Collect(DateTimeOffset now)
    {
        var clusters = _clusters.List();
        _info.Replace(clusters.Select(c => (Info(c), 1.0)));
        var leases = _leases.List().Where(l => l.Name() == LeaseController.LeaseName).ToDictionary(l => l.Namespace() ?? "", StringComparer.Ordinal);
        _leaseAge.Replace(clusters
            .Select(c => (Name: c.Name() ?? "", Renewed: RenewTime(leases.GetValueOrDefault(c.Name() ?? ""))))
            .Where(c => c.Renewed is not null)
            .Select(c => (new[] { c.Name }, Math.Max(0, (now - c.Renewed!.Value).TotalSeconds))));
    }

    private static string[] Info(JsonObject cluster)
    {
        var labels = cluster.Labels();
        var status = cluster["status"] as JsonObject;
        var claims = (status?["clusterClaims"] as JsonArray)?.OfType<JsonObject>()
            .Where(c => c.GetString("name") is not null)
            .ToDictionary(c => c.GetString("name")!, c => c.GetString("value") ?? "", StringComparer.Ordinal) ?? [];
        return
        [
            cluster.Name() ?? "",
            claims.GetValueOrDefault("id.k8s.io") ?? cluster.Uid() ?? "",
            labels.GetValueOrDefault("vendor") ?? "",
            labels.GetValueOrDefault("cloud") ?? "",
            (status?["version"] as JsonObject)?.GetString("kubernetes") ?? "",
            Conditions.Get(status, "ManagedClusterConditionAvailable") ?? "Unknown",
            cluster.Annotations().GetValueOrDefault("open-cluster-management/created-via") ?? "Other",
            "",
        ];
    }

    private static DateTimeOffset? RenewTime(JsonObject? lease) =>
        lease?["spec"]?["renewTime"]?.GetValue<string>() is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
