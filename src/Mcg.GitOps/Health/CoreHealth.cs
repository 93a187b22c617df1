using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Health;

/// <summary>
/// Service, Ingress, PersistentVolumeClaim, APIService and HorizontalPodAutoscaler, after gitops-engine's
/// health_service.go, health_ingress.go, health_pvc.go, health_apiservice.go and health_hpa.go.
/// </summary>
internal static class CoreHealth
{
    public static HealthStatus Service(JsonObject obj) =>
        obj.Str("spec", "type") == "LoadBalancer" && obj.Array("status", "loadBalancer", "ingress").Count == 0
            ? HealthStatus.Progressing()
            : HealthStatus.Healthy();

    public static HealthStatus Ingress(JsonObject obj) =>
        obj.Array("status", "loadBalancer", "ingress").Count > 0 ? HealthStatus.Healthy() : HealthStatus.Progressing();

    public static HealthStatus PersistentVolumeClaim(JsonObject obj) => obj.Str("status", "phase") switch
    {
        "Bound" => HealthStatus.Healthy(),
        "Pending" => HealthStatus.Progressing(),
        "Lost" => HealthStatus.Degraded(),
        _ => HealthStatus.Unknown(),
    };

    public static HealthStatus ApiService(JsonObject obj)
    {
        if (obj.FindCondition("Available") is { } available)
        {
            var message = $"{available.Reason}: {available.Message}";
            return available.Status == "True" ? HealthStatus.Healthy(message) : HealthStatus.Progressing(message);
        }
        return HealthStatus.Progressing("Waiting to be processed");
    }

    private static readonly HashSet<(string Type, string Reason)> HpaDegraded =
    [
        ("AbleToScale", "FailedGetScale"),
        ("AbleToScale", "FailedUpdateScale"),
        ("ScalingActive", "FailedGetResourceMetric"),
        ("ScalingActive", "InvalidSelector"),
    ];

    /// <summary>autoscaling/v1 keeps its conditions in an annotation; later versions in status.conditions.</summary>
    public static HealthStatus HorizontalPodAutoscaler(JsonObject obj)
    {
        IReadOnlyList<Condition> conditions;
        if (obj.Gvk().Version == "v1")
        {
            if (!obj.Annotations().TryGetValue("autoscaling.alpha.kubernetes.io/conditions", out var annotation))
            {
                return HealthStatus.Progressing("Waiting to Autoscale");
            }
            try
            {
                conditions = StatusReader.ParseConditions(JsonNode.Parse(annotation) as JsonArray ?? []);
            }
            catch (JsonException e)
            {
                return HealthStatus.Unknown($"failed to convert conditions annotation to typed: {e.Message}");
            }
        }
        else
        {
            conditions = obj.Conditions();
        }
        foreach (var condition in conditions)
        {
            if (HpaDegraded.Contains((condition.Type, condition.Reason)))
            {
                return HealthStatus.Degraded(condition.Message);
            }
            if (condition.Type is "AbleToScale" or "ScalingLimited" && condition.Status == "True")
            {
                return HealthStatus.Healthy(condition.Message);
            }
        }
        return HealthStatus.Progressing("Waiting to Autoscale");
    }
}
