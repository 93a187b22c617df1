using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Health;

/// <summary>core/v1 Pod, after gitops-engine's health_pod.go.</summary>
internal static class PodHealth
{
    /// <summary>Makes a Never/OnFailure pod assessed like a long-running one, for operators that create such pods.</summary>
    public const string IgnoreRestartPolicyAnnotation = "argocd.argoproj.io/ignore-restart-policy";

    public static HealthStatus Pod(JsonObject obj)
    {
        var message = obj.Str("status", "message");
        var longRunning = obj.Str("spec", "restartPolicy") == "Always" || obj.Annotations().ContainsKey(IgnoreRestartPolicyAnnotation);
        var containers = obj.Array("status", "containerStatuses").OfType<JsonObject>().ToList();

        // Only for long-running pods: a hook pod (Never/OnFailure) reported Degraded on ImagePullBackOff would fail its
        // sync phase early, then run anyway once the image appears.
        if (longRunning)
        {
            var failing = containers
                .Select(c => c.At("state", "waiting") as JsonObject)
                .Where(w => w is not null && IsErrorReason(w.Str("reason")))
                .Select(w => w!.Str("message"))
                .ToList();
            if (failing.Count > 0)
            {
                return HealthStatus.Degraded(string.Join(", ", failing));
            }
        }

        switch (obj.Str("status", "phase"))
        {
            case "Pending":
                return HealthStatus.Progressing(message);
            case "Succeeded":
                return HealthStatus.Healthy(message);
            case "Failed":
                if (message.Length > 0)
                {
                    return HealthStatus.Degraded(message);
                }
                var all = obj.Array("status", "initContainerStatuses").OfType<JsonObject>().Concat(containers);
                return HealthStatus.Degraded(all.Select(FailMessage).FirstOrDefault(m => m.Length > 0) ?? "");
            case "Running" when longRunning:
                if (IsReady(obj))
                {
                    return HealthStatus.Healthy(message);
                }
                return containers.Any(c => c.At("lastState", "terminated") is JsonObject)
                    ? HealthStatus.Degraded(message)
                    : HealthStatus.Progressing(message);
            case "Running" when obj.Str("spec", "restartPolicy") is "OnFailure" or "Never":
                // Finite pods are typically hooks, so running is not yet healthy.
                return HealthStatus.Progressing(message);
            default:
                return HealthStatus.Unknown(message);
        }
    }

    private static bool IsErrorReason(string reason) =>
        reason.StartsWith("Err", StringComparison.Ordinal)
        || reason.EndsWith("Error", StringComparison.Ordinal)
        || reason.EndsWith("BackOff", StringComparison.Ordinal);

    private static bool IsReady(JsonObject pod) => pod.FindCondition("Ready")?.Status == "True";

    private static string FailMessage(JsonObject container)
    {
        if (container.At("state", "terminated") is not JsonObject terminated)
        {
            return "";
        }
        var message = terminated.Str("message");
        if (message.Length > 0)
        {
            return message;
        }
        if (terminated.Str("reason") == "OOMKilled")
        {
            return "OOMKilled";
        }
        var exitCode = terminated.Int("exitCode");
        return exitCode != 0 ? $"container \"{container.Str("name")}\" failed with exit code {exitCode}" : "";
    }
}
