using System.Text.Json.Nodes;

namespace Mcg.GitOps.Health;

/// <summary>argoproj.io kinds.</summary>
internal static class ArgoHealth
{
    /// <summary>
    /// A child Application reports its own health. Argo CD 1.8 dropped this built-in check (argo-cd#3781); its docs give
    /// this as the <c>resource.customizations.health.argoproj.io_Application</c> Lua to restore it for app-of-apps with
    /// sync waves, which is what this is. <see cref="HealthAssessor"/> can leave it out to behave as stock Argo CD.
    /// </summary>
    public static HealthStatus Application(JsonObject obj)
    {
        if (obj.At("status", "health") is not JsonObject health)
        {
            return HealthStatus.Progressing();
        }
        var status = health.OptionalStr("status");
        return new HealthStatus(
            status is null ? HealthStatusCode.Progressing : Enum.TryParse<HealthStatusCode>(status, out var code) ? code : HealthStatusCode.Unknown,
            health.Str("message"));
    }

    /// <summary>gitops-engine health_argo.go: only status.phase and status.message count.</summary>
    public static HealthStatus Workflow(JsonObject obj)
    {
        var message = obj.Str("status", "message");
        return obj.Str("status", "phase") switch
        {
            "" or "Pending" or "Running" => HealthStatus.Progressing(message),
            "Succeeded" => HealthStatus.Healthy(message),
            "Failed" or "Error" => HealthStatus.Degraded(message),
            _ => HealthStatus.Unknown(message),
        };
    }
}
