using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Writes core/v1 Events about an object, named as client-go's recorder names them (<c>&lt;object&gt;.&lt;hex unix nanos&gt;</c>).
/// Failures are logged, not thrown: events are informational.
/// </summary>
public sealed class EventRecorder(IKubeClient client, string component, string? host, ILogger<EventRecorder> logger, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public const string Normal = "Normal";
    public const string Warning = "Warning";

    /// <summary>Records an event in the object's namespace; returns the event's name and time (also when writing it failed).</summary>
    public async Task<(string Name, DateTimeOffset Time)> RecordAsync(JsonObject involved, string type, string reason, string message,
        JsonObject? related = null, string? action = null, CancellationToken ct = default)
    {
        var now = _clock.GetUtcNow();
        var name = EventName(involved.Name() ?? "object", now);
        var timestamp = Timestamp(now);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = involved.Namespace() ?? "default" },
            ["involvedObject"] = Reference(involved),
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = host is null ? new JsonObject { ["component"] = component } : new JsonObject { ["component"] = component, ["host"] = host },
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = 1,
            ["type"] = type,
            ["reportingComponent"] = component,
            ["reportingInstance"] = host ?? component,
        };
        if (action is not null)
        {
            ev["action"] = action;
        }
        if (related is not null)
        {
            ev["related"] = Reference(related);
        }
        try
        {
            await client.CreateAsync(PolicyResources.Events, ev, null, ct);
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not record event {Reason} on {Kind} {Namespace}/{Name}", reason, involved.Kind(), involved.Namespace(), involved.Name());
        }
        return (name, now);
    }

    /// <summary>The event name client-go's recorder uses: the object name and the time in hex nanoseconds since the epoch.</summary>
    public static string EventName(string objectName, DateTimeOffset time) =>
        $"{objectName}.{((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString("x", CultureInfo.InvariantCulture)}";

    /// <summary>A metav1.Time (RFC 3339, whole seconds, UTC).</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Reference(JsonObject obj)
    {
        var reference = new JsonObject
        {
            ["kind"] = obj.Kind(),
            ["apiVersion"] = obj.ApiVersion(),
            ["name"] = obj.Name(),
        };
        if (obj.Namespace() is { } ns)
        {
            reference["namespace"] = ns;
        }
        if (obj.Uid() is { } uid)
        {
            reference["uid"] = uid;
        }
        return reference;
    }
}
