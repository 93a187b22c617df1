using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.Fleet;

/// <summary>metav1.Condition handling: set by type, keeping lastTransitionTime while the status does not change.</summary>
public static class Conditions
{
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Kubernetes MicroTime, as Lease renewTime uses.</summary>
    public static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Sets a condition on <c>status.conditions</c> (as meta.SetStatusCondition); returns whether anything changed.</summary>
    public static bool Set(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var list = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = list;
        return Placement.StatusConditions.Set(list, type, value, reason, message, now);
    }

    public static string? Get(JsonObject? status, string type) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();
}
