using System.Text.Json.Serialization;

namespace Mcg.GitOps.Health;

/// <summary>The health codes of Argo CD; serialised by name, which is the string Argo CD uses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthStatusCode>))]
public enum HealthStatusCode
{
    Unknown,
    Progressing,
    Healthy,
    Suspended,
    Degraded,
    Missing,
}

/// <summary>The health of one resource, or of an application.</summary>
public sealed record HealthStatus(HealthStatusCode Status, string Message = "")
{
    /// <summary>
    /// Whether <paramref name="candidate"/> is worse than <paramref name="current"/> in Argo CD's order
    /// (gitops-engine <c>health.IsWorse</c>): Healthy, Suspended, Progressing, Missing, Degraded, Unknown.
    /// </summary>
    public static bool IsWorse(HealthStatusCode current, HealthStatusCode candidate) => Rank(candidate) > Rank(current);

    /// <summary>
    /// The application health: the worst of its resources' health, starting from Healthy. A null entry is a resource
    /// without a health check and counts as Healthy. The caller decides which resources take part: Argo CD leaves out
    /// hooks, resources annotated <c>argocd.argoproj.io/ignore-healthcheck: "true"</c>, missing resources (OutOfSync
    /// already reports them; the app is Missing only when none of its resources exist) and child Applications that are
    /// Missing or Unknown.
    /// </summary>
    public static HealthStatusCode Combine(IEnumerable<HealthStatus?> resources)
    {
        var worst = HealthStatusCode.Healthy;
        foreach (var health in resources)
        {
            if (health is not null && IsWorse(worst, health.Status))
            {
                worst = health.Status;
            }
        }
        return worst;
    }

    private static int Rank(HealthStatusCode code) => code switch
    {
        HealthStatusCode.Healthy => 0,
        HealthStatusCode.Suspended => 1,
        HealthStatusCode.Progressing => 2,
        HealthStatusCode.Missing => 3,
        HealthStatusCode.Degraded => 4,
        _ => 5,
    };

    internal static HealthStatus Healthy(string message = "") => new(HealthStatusCode.Healthy, message);
    internal static HealthStatus Progressing(string message = "") => new(HealthStatusCode.Progressing, message);
    internal static HealthStatus Degraded(string message = "") => new(HealthStatusCode.Degraded, message);
    internal static HealthStatus Suspended(string message = "") => new(HealthStatusCode.Suspended, message);
    internal static HealthStatus Unknown(string message = "") => new(HealthStatusCode.Unknown, message);
}
