using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// Storage state of a cluster: kube-state-metrics' <c>kube_persistentvolumeclaim_status_phase</c> (one series per
/// PVC and phase, 1 for the current one) and <c>mcg_storagecluster_status_phase</c> for Portworx StorageClusters,
/// in the same style.
/// </summary>
public sealed class StorageMetrics : IStateCollector
{
    public static readonly ResourceRef StorageClusters = new("core.libopenstorage.org", "v1", "storageclusters", "StorageCluster", true);
    public static readonly ResourceRef PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true);

    private static readonly string[] PvcPhases = ["Lost", "Bound", "Pending"];
    private static readonly string[] StorageClusterPhases = ["Initializing", "Running", "Degraded", "Failed", "Uninstalling"];

    private readonly Informer _storageClusters;
    private readonly Informer _claims;
    private readonly GaugeSeries _clusterPhase;
    private readonly GaugeSeries _claimPhase;

    public StorageMetrics(IKubeClient client, IMetricFactory metrics)
    {
        _storageClusters = new Informer(client, StorageClusters);
        _claims = new Informer(client, PersistentVolumeClaims);
        _clusterPhase = new GaugeSeries(metrics.CreateGauge("mcg_storagecluster_status_phase",
            "The phase of the Portworx StorageCluster.", ["namespace", "storagecluster", "phase"]));
        _claimPhase = new GaugeSeries(metrics.CreateGauge("kube_persistentvolumeclaim_status_phase",
            "The phase the persistent volume claim is currently in.", ["namespace", "persistentvolumeclaim", "phase"]));
    }

    public IReadOnlyList<Informer> Informers => [_storageClusters, _claims];

    public void Collect(DateTimeOffset now)
    {
        _clusterPhase.Replace(_storageClusters.List().SelectMany(sc => Phases(sc, StorageClusterPhases)));
        _claimPhase.Replace(_claims.List().SelectMany(pvc => Phases(pvc, PvcPhases)));
    }

    private static IEnumerable<(string[], double)> Phases(JsonObject obj, string[] known)
    {
        var phase = (obj["status"] as JsonObject)?.GetString("phase") ?? "";
        var phases = known.Contains(phase) || phase.Length == 0 ? known : [.. known, phase];
        return phases.Select(p => (new[] { obj.Namespace() ?? "", obj.Name() ?? "", p }, p == phase ? 1.0 : 0.0));
    }
}
