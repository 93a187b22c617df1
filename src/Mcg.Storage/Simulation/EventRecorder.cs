using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Simulation;

/// <summary>
/// Writes core/v1 Events about objects as the upstream components do (reason, message, source component), folding a
/// repeat of the same event into a count, as client-go's event correlator does.
/// </summary>
public sealed class EventRecorder(IKubeClient client, TimeProvider clock, ILogger<EventRecorder> logger)
{
    private readonly ConcurrentDictionary<(string Uid, string Reason, string Message), (string Name, string Namespace, int Count)> _seen = new();

    private const int MaxRemembered = 20_000;
    private readonly ConcurrentDictionary<(string Uid, string Component), string> _last = new();

    /// <summary>
    /// Records the event unless it is what this component last said about the object: a controller retrying the
    /// same failure every few seconds reports it once, and again only when the reason or message changes.
    /// </summary>
    public async Task RecordOnChangeAsync(JsonObject involved, string component, string type, string reason, string message, CancellationToken ct)
    {
        var key = (involved.Str("metadata", "uid"), component);
        var text = $"{type}/{reason}/{message}";
        if (_last.TryGetValue(key, out var last) && last == text)
        {
            return;
        }
        if (_last.Count > MaxRemembered)
        {
            _last.Clear();
        }
        _last[key] = text;
        await RecordAsync(involved, component, type, reason, message, ct);
    }

    /// <summary>Forgets what a component last said about an object (it recovered; the next failure is news).</summary>
    public void ClearLast(JsonObject involved, string component) => _last.TryRemove((involved.Str("metadata", "uid"), component), out _);

    public async Task NormalAsync(JsonObject involved, string component, string reason, string message, CancellationToken ct) =>
        await RecordAsync(involved, component, "Normal", reason, message, ct);

    public async Task WarningAsync(JsonObject involved, string component, string reason, string message, CancellationToken ct) =>
        await RecordAsync(involved, component, "Warning", reason, message, ct);

    public async Task RecordAsync(JsonObject involved, string component, string type, string reason, string message, CancellationToken ct)
    {
        var uid = involved.Str("metadata", "uid");
        var ns = involved.Str("metadata", "namespace") is { Length: > 0 } n ? n : "default";
        var now = Json.Timestamp(clock.GetUtcNow());
        try
        {
            if (_seen.TryGetValue((uid, reason, message), out var seen))
            {
                var count = seen.Count + 1;
                _seen[(uid, reason, message)] = seen with { Count = count };
                await client.PatchAsync(Resources.Events, seen.Namespace, seen.Name, PatchType.Merge,
                    new JsonObject { ["count"] = count, ["lastTimestamp"] = now }, null, ct);
                return;
            }
            var name = $"{involved.Str("metadata", "name")}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}";
            var evt = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = involved.Str("apiVersion"),
                    ["kind"] = involved.Str("kind"),
                    ["name"] = involved.Str("metadata", "name"),
                    ["namespace"] = involved.Str("metadata", "namespace"),
                    ["uid"] = uid,
                    ["resourceVersion"] = involved.Str("metadata", "resourceVersion"),
                },
                ["type"] = type,
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = component },
                ["reportingComponent"] = component,
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
            };
            await client.CreateAsync(Resources.Events, evt, null, ct);
            if (_seen.Count > MaxRemembered)
            {
                // Forgetting only means the next repeat is a new event instead of a count, as after a restart.
                _seen.Clear();
            }
            _seen[(uid, reason, message)] = (name, ns, 1);
        }
        catch (KubeApiException e)
        {
            // Events are best effort, as upstream's: a lost event must not fail a reconcile.
            _seen.TryRemove((uid, reason, message), out _);
            logger.LogDebug(e, "event {Reason} on {Name} not recorded", reason, involved.Str("metadata", "name"));
        }
    }
}
