using System.Text.Json.Nodes;

namespace Mcg.Storage.Simulation;

/// <summary>
/// Conditions of core and apps objects (Pod, Node, Deployment, Job…): set by type, keeping <c>lastTransitionTime</c>
/// while the status stays the same, as the upstream controllers do.
/// </summary>
internal static class CoreConditions
{
    public static JsonArray Set(JsonArray? existing, string type, string status, string? reason, string? message, DateTimeOffset now,
        params string[] extraTimes)
    {
        var list = existing?.Clone() ?? [];
        var current = list.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        var stamp = Json.Timestamp(now);
        if (current is null)
        {
            current = new JsonObject { ["type"] = type };
            list.Add(current);
        }
        var changed = current.Str("status") != status || current.Str("reason") != (reason ?? "") || current.Str("message") != (message ?? "");
        if (current.Str("status") != status || current["lastTransitionTime"] is null)
        {
            current["lastTransitionTime"] = stamp;
        }
        current["status"] = status;
        foreach (var field in extraTimes)
        {
            if (changed || current[field] is null)
            {
                current[field] = stamp;
            }
        }
        SetOrRemove(current, "reason", reason);
        SetOrRemove(current, "message", message);
        return list;
    }

    public static string Status(JsonNode? obj, string type) =>
        obj.Items("status", "conditions").FirstOrDefault(c => c.Str("type") == type)?.Str("status") ?? "";

    private static void SetOrRemove(JsonObject obj, string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            obj.Remove(key);
        }
        else
        {
            obj[key] = value;
        }
    }
}
