using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>metav1.Condition lists: <see cref="Set"/> behaves like apimachinery's meta.SetStatusCondition.</summary>
public static class StatusConditions
{
    /// <summary>
    /// Adds or updates the condition of that type; lastTransitionTime changes only when the status does.
    /// Returns whether anything changed.
    /// </summary>
    public static bool Set(JsonArray conditions, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var existing = Find(conditions, type);
        if (existing is null)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastTransitionTime"] = Format(now),
                ["reason"] = reason,
                ["message"] = message,
            });
            return true;
        }
        var changed = false;
        if (existing.GetString("status") != status)
        {
            existing["status"] = status;
            existing["lastTransitionTime"] = Format(now);
            changed = true;
        }
        if (existing.GetString("reason") != reason)
        {
            existing["reason"] = reason;
            changed = true;
        }
        if (existing.GetString("message") != message)
        {
            existing["message"] = message;
            changed = true;
        }
        return changed;
    }

    public static JsonObject? Find(JsonArray? conditions, string type) =>
        conditions?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == type);

    /// <summary>A deep copy of <c>status.conditions</c> (empty when absent).</summary>
    public static JsonArray CopyOf(JsonObject obj) =>
        obj["status"]?["conditions"] is JsonArray a ? (JsonArray)a.DeepClone() : [];

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
