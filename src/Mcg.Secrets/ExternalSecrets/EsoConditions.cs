using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// ESO keeps exactly one <c>Ready</c> condition; <c>lastTransitionTime</c> only moves when its status does
/// (as <c>SetExternalSecretCondition</c>/<c>SetSecretStoreCondition</c>).
/// </summary>
public static class EsoConditions
{
    public static JsonArray Ready(JsonObject? currentStatus, bool ready, string reason, string message, DateTimeOffset now)
    {
        var status = ready ? "True" : "False";
        var previous = (currentStatus?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]?.GetValue<string>() == EsoResources.ConditionReady);
        var since = previous?["status"]?.GetValue<string>() == status && previous["lastTransitionTime"] is JsonNode t ? t.DeepClone() : Timestamp(now);
        return
        [
            new JsonObject
            {
                ["type"] = EsoResources.ConditionReady,
                ["status"] = status,
                ["reason"] = reason,
                ["message"] = message,
                ["lastTransitionTime"] = since,
            },
        ];
    }

    public static string? ReadyStatus(JsonObject obj) =>
        (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == EsoResources.ConditionReady)?["status"]?.GetValue<string>();

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
