using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Health;

/// <summary>
/// Assesses the health of live objects the way Argo CD does (gitops-engine <c>pkg/health</c> plus the bundled Lua
/// resource customizations we mirror): one check per group/kind, none for other kinds. There is deliberately no generic
/// <c>status.conditions</c> fallback: Argo CD assesses a kind only when it has a check for it.
/// </summary>
public sealed class HealthAssessor
{
    /// <summary>Resources holding it are sync hooks still being run, so they keep their real health while deleting.</summary>
    public const string HookFinalizer = "argocd.argoproj.io/hook-finalizer";

    private static readonly Dictionary<(string Group, string Kind), Func<JsonObject, HealthStatus>> BuiltIn = new()
    {
        [("apps", "Deployment")] = WorkloadHealth.Deployment,
        [("apps", "StatefulSet")] = WorkloadHealth.StatefulSet,
        [("apps", "DaemonSet")] = WorkloadHealth.DaemonSet,
        [("apps", "ReplicaSet")] = WorkloadHealth.ReplicaSet,
        [("", "Pod")] = PodHealth.Pod,
        [("", "Service")] = CoreHealth.Service,
        [("", "PersistentVolumeClaim")] = CoreHealth.PersistentVolumeClaim,
        [("networking.k8s.io", "Ingress")] = CoreHealth.Ingress,
        [("extensions", "Ingress")] = CoreHealth.Ingress,
        [("apiregistration.k8s.io", "APIService")] = CoreHealth.ApiService,
        [("autoscaling", "HorizontalPodAutoscaler")] = CoreHealth.HorizontalPodAutoscaler,
        [("batch", "Job")] = BatchHealth.Job,
        [("batch", "CronJob")] = BatchHealth.CronJob,
        [("argoproj.io", "Workflow")] = ArgoHealth.Workflow,
        [("core.libopenstorage.org", "StorageCluster")] = CustomResourceHealth.StorageCluster,
        [("core.libopenstorage.org", "StorageNode")] = CustomResourceHealth.StorageNode,
        [("snapshot.storage.k8s.io", "VolumeSnapshot")] = CustomResourceHealth.VolumeSnapshot,
        [("snapshot.storage.k8s.io", "VolumeSnapshotContent")] = CustomResourceHealth.VolumeSnapshot,
        [("external-secrets.io", "ExternalSecret")] = CustomResourceHealth.ExternalSecret,
        [("work.open-cluster-management.io", "ManifestWork")] = CustomResourceHealth.ManifestWork,
        [("policy.open-cluster-management.io", "Policy")] = CustomResourceHealth.Policy,
        [("operators.coreos.com", "Subscription")] = CustomResourceHealth.Subscription,
    };

    private readonly Dictionary<(string Group, string Kind), Func<JsonObject, HealthStatus>> checks;

    /// <param name="assessApplications">
    /// Whether a child <c>argoproj.io/Application</c> contributes its own reported health (app-of-apps). Stock Argo CD
    /// since 1.8 does not unless the customization from its docs is configured; we include it by default.
    /// </param>
    public HealthAssessor(bool assessApplications = true)
    {
        checks = new(BuiltIn);
        if (assessApplications)
        {
            checks[("argoproj.io", "Application")] = ArgoHealth.Application;
        }
    }

    /// <summary>The kinds this assessor has a check for.</summary>
    public IEnumerable<(string Group, string Kind)> Kinds => checks.Keys;

    /// <summary>
    /// The object's health, or null when its kind has no check (Argo CD then leaves it out of the app health, which is
    /// the same as Healthy). An object being deleted is Progressing "Pending deletion" whatever its kind, except a hook
    /// still holding <see cref="HookFinalizer"/>. Namespace has no check upstream, so a terminating one is Progressing
    /// through that rule and an active one has no health.
    /// </summary>
    public HealthStatus? Assess(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.At("metadata", "deletionTimestamp") is not null && !obj.Finalizers().Contains(HookFinalizer))
        {
            return HealthStatus.Progressing("Pending deletion");
        }
        var gvk = obj.Gvk();
        return checks.TryGetValue((gvk.Group, gvk.Kind), out var check) ? check(obj) : null;
    }
}
