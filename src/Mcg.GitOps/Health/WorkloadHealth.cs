using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Health;

/// <summary>
/// apps/v1 workloads, after gitops-engine's health_deployment.go, health_statefulset.go, health_daemonset.go and
/// health_replicaset.go (themselves borrowed from kubectl's rollout status). Messages match upstream word for word.
/// </summary>
internal static class WorkloadHealth
{
    public static HealthStatus Deployment(JsonObject obj)
    {
        if (obj.Bool("spec", "paused"))
        {
            return HealthStatus.Suspended("Deployment is paused");
        }
        if (obj.Generation() > obj.Int("status", "observedGeneration"))
        {
            return HealthStatus.Progressing("Waiting for rollout to finish: observed deployment generation less than desired generation");
        }
        var replicas = obj.OptionalInt("spec", "replicas");
        var statusReplicas = obj.Int("status", "replicas");
        var updated = obj.Int("status", "updatedReplicas");
        var available = obj.Int("status", "availableReplicas");
        if (obj.FindCondition("Progressing")?.Reason == "ProgressDeadlineExceeded")
        {
            return HealthStatus.Degraded($"Deployment \"{obj.Name()}\" exceeded its progress deadline");
        }
        if (replicas is { } desired && updated < desired)
        {
            return HealthStatus.Progressing($"Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated...");
        }
        if (statusReplicas > updated)
        {
            return HealthStatus.Progressing($"Waiting for rollout to finish: {statusReplicas - updated} old replicas are pending termination...");
        }
        if (available < updated)
        {
            return HealthStatus.Progressing($"Waiting for rollout to finish: {available} of {updated} updated replicas are available...");
        }
        return HealthStatus.Healthy();
    }

    public static HealthStatus StatefulSet(JsonObject obj)
    {
        var observed = obj.Int("status", "observedGeneration");
        if (observed == 0 || obj.Generation() > observed)
        {
            return HealthStatus.Progressing("Waiting for statefulset spec update to be observed...");
        }
        var replicas = obj.OptionalInt("spec", "replicas");
        var ready = obj.Int("status", "readyReplicas");
        var updated = obj.Int("status", "updatedReplicas");
        if (replicas is { } desired && ready < desired)
        {
            return HealthStatus.Progressing($"Waiting for {desired - ready} pods to be ready...");
        }
        var strategy = obj.Str("spec", "updateStrategy", "type");
        if (strategy == "RollingUpdate" && obj.At("spec", "updateStrategy", "rollingUpdate") is JsonObject)
        {
            var partition = obj.OptionalInt("spec", "updateStrategy", "rollingUpdate", "partition");
            if (replicas is { } r && partition is { } p && updated < r - p)
            {
                return HealthStatus.Progressing($"Waiting for partitioned roll out to finish: {updated} out of {r - p} new pods have been updated...");
            }
            return HealthStatus.Healthy($"partitioned roll out complete: {updated} new pods have been updated...");
        }
        if (strategy == "OnDelete")
        {
            return HealthStatus.Healthy($"statefulset has {ready} ready pods");
        }
        var updateRevision = obj.Str("status", "updateRevision");
        var currentRevision = obj.Str("status", "currentRevision");
        if (updateRevision != currentRevision)
        {
            return HealthStatus.Progressing($"waiting for statefulset rolling update to complete {updated} pods at revision {updateRevision}...");
        }
        return HealthStatus.Healthy($"statefulset rolling update complete {obj.Int("status", "currentReplicas")} pods at revision {currentRevision}...");
    }

    public static HealthStatus DaemonSet(JsonObject obj)
    {
        if (obj.Generation() > obj.Int("status", "observedGeneration"))
        {
            return HealthStatus.Progressing("Waiting for rollout to finish: observed daemon set generation less than desired generation");
        }
        var updated = obj.Int("status", "updatedNumberScheduled");
        var desired = obj.Int("status", "desiredNumberScheduled");
        var available = obj.Int("status", "numberAvailable");
        if (obj.Str("spec", "updateStrategy", "type") == "OnDelete")
        {
            return HealthStatus.Healthy($"daemon set {updated} out of {desired} new pods have been updated");
        }
        if (updated < desired)
        {
            return HealthStatus.Progressing($"Waiting for daemon set \"{obj.Name()}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
        }
        if (available < desired)
        {
            return HealthStatus.Progressing($"Waiting for daemon set \"{obj.Name()}\" rollout to finish: {available} of {desired} updated pods are available...");
        }
        return HealthStatus.Healthy();
    }

    public static HealthStatus ReplicaSet(JsonObject obj)
    {
        if (obj.Generation() > obj.Int("status", "observedGeneration"))
        {
            return HealthStatus.Progressing("Waiting for rollout to finish: observed replica set generation less than desired generation");
        }
        if (obj.FindCondition("ReplicaFailure") is { Status: "True" } failure)
        {
            return HealthStatus.Degraded(failure.Message);
        }
        var available = obj.Int("status", "availableReplicas");
        if (obj.OptionalInt("spec", "replicas") is { } desired && available < desired)
        {
            return HealthStatus.Progressing($"Waiting for rollout to finish: {available} out of {desired} new replicas are available...");
        }
        return HealthStatus.Healthy();
    }
}
