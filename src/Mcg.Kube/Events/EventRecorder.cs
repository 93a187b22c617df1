using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Kube.Events;

/// <summary>
/// Writes core/v1 Events about the objects controllers act on, as client-go's recorder does: named
/// <c>&lt;object&gt;.&lt;hex unix nanos&gt;</c>, in the object's namespace (<c>default</c> for cluster-scoped objects, where
/// <c>kubectl describe</c> finds them), with the same correlation: a repeat of the same event (object, component, type,
/// reason, message) bumps <c>count</c> and <c>lastTimestamp</c> of the existing Event instead of writing a new one, and
/// when one object gets <see cref="SimilarLimit"/> differently-worded events of one reason within
/// <see cref="SimilarWindow"/>, further ones fold into a single "(combined from similar events)" Event.
/// Writing is best effort: a lost event is logged and never fails a reconcile. Messages must never carry secret values.
/// </summary>
public sealed class EventRecorder(IKubeClient client, TimeProvider clock, ILogger<EventRecorder> logger, string? host = null)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    /// <summary>client-go's aggregation: this many distinct messages of one reason on one object within the window are combined.</summary>
    public const int SimilarLimit = 10;
    public static readonly TimeSpan SimilarWindow = TimeSpan.FromMinutes(10);
    public const string CombinedPrefix = "(combined from similar events): ";

    /// <summary>How many correlation entries are kept; forgetting one only means its next repeat starts a new Event, as after a restart.</summary>
    private const int MaxRemembered = 20_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<EventKey, Written> _written = [];
    private readonly Dictionary<SimilarKey, Similar> _similar = [];
    private readonly Dictionary<(string Object, string Component), string> _last = [];

    public Task<RecordedEvent> NormalAsync(JsonObject involved, string component, string reason, string message, CancellationToken ct) =>
        RecordAsync(involved, component, Normal, reason, message, ct);

    public Task<RecordedEvent> WarningAsync(JsonObject involved, string component, string reason, string message, CancellationToken ct) =>
        RecordAsync(involved, component, Warning, reason, message, ct);

    /// <summary>
    /// Records the event unless it is what this component last said about the object: a controller retrying the same
    /// failure every few seconds reports it once, and again only when the reason or message changes.
    /// </summary>
    public async Task RecordOnChangeAsync(JsonObject involved, string component, string type, string reason, string message, CancellationToken ct)
    {
        var key = (ObjectIdentity(involved), component);
        var text = $"{type}/{reason}/{message}";
        lock (_lock)
        {
            if (_last.TryGetValue(key, out var last) && last == text)
            {
                return;
            }
            if (_last.Count > MaxRemembered)
            {
                _last.Clear();
            }
            _last[key] = text;
        }
        await RecordAsync(involved, component, type, reason, message, ct);
    }

    /// <summary>Forgets what a component last said about an object (it recovered; the next failure is news).</summary>
    public void ClearLast(JsonObject involved, string component)
    {
        lock (_lock)
        {
            _last.Remove((ObjectIdentity(involved), component));
        }
    }

    /// <summary>Records an event; returns the Event's name and time (also when writing it failed) and its count.</summary>
    public async Task<RecordedEvent> RecordAsync(JsonObject involved, string component, string type, string reason, string message,
        CancellationToken ct, JsonObject? related = null, string? action = null)
    {
        var now = clock.GetUtcNow();
        var identity = ObjectIdentity(involved);
        var ns = involved.Namespace() is { Length: > 0 } n ? n : "default";
        Written? previous;
        EventKey key;
        lock (_lock)
        {
            (key, message) = Correlate(new SimilarKey(identity, component, type, reason), message, now);
            _written.TryGetValue(key, out previous);
            if (previous is not null)
            {
                _written[key] = previous = previous with { Count = previous.Count + 1 };
            }
        }
        if (previous is not null)
        {
            try
            {
                await client.PatchAsync(ResourceRef.Events, previous.Namespace, previous.Name, PatchType.Merge,
                    new JsonObject { ["count"] = previous.Count, ["lastTimestamp"] = Timestamp(now), ["message"] = message }, null, ct);
                return new RecordedEvent(previous.Name, now, previous.Count);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // Expired or deleted by someone: start a new Event, as client-go does when its patch fails.
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
            {
                logger.LogWarning("could not update event {Reason} on {Kind} {Object}: {Error}", reason, involved.Kind(), identity, e.Message);
                return new RecordedEvent(previous.Name, now, previous.Count);
            }
        }

        var name = EventName(involved.Name() ?? "object", now);
        var stamp = Timestamp(now);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = Reference(involved),
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = host is null ? new JsonObject { ["component"] = component } : new JsonObject { ["component"] = component, ["host"] = host },
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
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
            await client.CreateAsync(ResourceRef.Events, ev, null, ct);
            lock (_lock)
            {
                if (_written.Count > MaxRemembered)
                {
                    _written.Clear();
                }
                _written[key] = new Written(name, ns, 1);
            }
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            lock (_lock)
            {
                _written.Remove(key);
            }
            logger.LogWarning("could not record event {Reason} on {Kind} {Object}: {Error}", reason, involved.Kind(), identity, e.Message);
        }
        return new RecordedEvent(name, now, 1);
    }

    /// <summary>
    /// client-go's EventAggregator: remembers the distinct messages of (object, component, type, reason) in the window;
    /// past the limit the message is prefixed and the correlation key drops the message, so they share one Event.
    /// </summary>
    private (EventKey Key, string Message) Correlate(SimilarKey similarKey, string message, DateTimeOffset now)
    {
        if (!_similar.TryGetValue(similarKey, out var similar) || now - similar.Since > SimilarWindow)
        {
            if (_similar.Count > MaxRemembered)
            {
                _similar.Clear();
            }
            _similar[similarKey] = similar = new Similar(now, []);
        }
        if (similar.Messages.Count < SimilarLimit)
        {
            similar.Messages.Add(message);
        }
        return similar.Messages.Count >= SimilarLimit
            ? (new EventKey(similarKey, null), CombinedPrefix + message)
            : (new EventKey(similarKey, message), message);
    }

    /// <summary>The event name client-go's recorder uses: the object name and the time in hex nanoseconds since the epoch.</summary>
    public static string EventName(string objectName, DateTimeOffset time) =>
        $"{objectName}.{((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString("x", CultureInfo.InvariantCulture)}";

    /// <summary>A metav1.Time (RFC 3339, whole seconds, UTC).</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string ObjectIdentity(JsonObject obj) =>
        obj.Uid() is { Length: > 0 } uid ? uid : $"{obj.ApiVersion()}/{obj.Kind()}/{obj.Namespace()}/{obj.Name()}";

    private static JsonObject Reference(JsonObject obj)
    {
        var reference = new JsonObject
        {
            ["kind"] = obj.Kind(),
            ["apiVersion"] = obj.ApiVersion(),
            ["name"] = obj.Name(),
        };
        if (obj.Namespace() is { Length: > 0 } ns)
        {
            reference["namespace"] = ns;
        }
        if (obj.Uid() is { Length: > 0 } uid)
        {
            reference["uid"] = uid;
        }
        if (obj.ResourceVersion() is { Length: > 0 } rv)
        {
            reference["resourceVersion"] = rv;
        }
        return reference;
    }

    private sealed record SimilarKey(string Object, string Component, string Type, string Reason);

    private sealed record EventKey(SimilarKey Similar, string? Message);

    private sealed record Written(string Name, string Namespace, int Count);

    private sealed record Similar(DateTimeOffset Since, HashSet<string> Messages);
}

/// <summary>An Event as recorded: its name, the time of this occurrence and how many times it has occurred.</summary>
public sealed record RecordedEvent(string Name, DateTimeOffset Time, int Count);
