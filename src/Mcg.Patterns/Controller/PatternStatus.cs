using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;

namespace Mcg.Patterns.Controller;

/// <summary>
/// The Pattern's status as the patterns operator reports it (<c>api/v1alpha1/pattern_types.go</c> PatternStatus):
/// <c>lastStep</c>, <c>lastError</c>, <c>version</c>, the hub's cluster facts, <c>conditions</c>
/// (<c>{type, status, lastUpdateTime, lastTransitionTime, message}</c>; types GitInSync/GitOutOfSync, Degraded, …)
/// and <c>applications</c> (<c>{name, namespace, syncStatus, healthStatus, healthMessage}</c>).
/// </summary>
public sealed class PatternStatus
{
    private readonly JsonObject _status;
    private readonly DateTimeOffset _now;

    public PatternStatus(JsonObject pattern, DateTimeOffset now)
    {
        _status = pattern["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        _now = now;
    }

    public JsonObject Json => _status;

    public void Facts(ClusterFacts hub)
    {
        _status["clusterName"] = hub.ClusterName;
        _status["clusterDomain"] = hub.ClusterDomain;
        _status["appClusterDomain"] = hub.LocalClusterDomain;
        _status["clusterPlatform"] = hub.Platform;
        _status["clusterVersion"] = hub.Version;
    }

    public void Step(string step, string? error)
    {
        _status["lastStep"] = step;
        if (error is null)
        {
            _status.Remove("lastError");
        }
        else
        {
            _status["lastError"] = error;
        }
    }

    /// <summary>Counts revisions applied (upstream: "number of updates to the pattern").</summary>
    public void Applied(string revision)
    {
        if (Condition("GitInSync")?["message"]?.GetValue<string>() is { } previous && previous.EndsWith(revision, StringComparison.Ordinal))
        {
            return;
        }
        _status["version"] = (_status["version"]?.GetValue<long>() ?? 0) + 1;
    }

    public void Set(string type, bool value, string message)
    {
        var list = _status["conditions"] as JsonArray ?? new JsonArray();
        _status["conditions"] = list;
        var now = _now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = value ? "True" : "False";
        var existing = Condition(type);
        if (existing is null)
        {
            list.Add(new JsonObject { ["type"] = type, ["status"] = status, ["lastUpdateTime"] = now, ["lastTransitionTime"] = now, ["message"] = message });
            return;
        }
        if (existing["status"]?.GetValue<string>() != status)
        {
            existing["lastTransitionTime"] = now;
        }
        if (existing["status"]?.GetValue<string>() != status || existing["message"]?.GetValue<string>() != message)
        {
            existing["lastUpdateTime"] = now;
        }
        existing["status"] = status;
        existing["message"] = message;
    }

    public void Remove(string type)
    {
        if (_status["conditions"] is JsonArray list && Condition(type) is { } c)
        {
            list.Remove(c);
        }
    }

    /// <summary>The generated Applications' sync and health, with the reason an application cannot be rendered when there is one.</summary>
    public void Applications(IEnumerable<JsonObject> apps, IReadOnlyList<GenerationProblem> problems)
    {
        var list = new JsonArray();
        foreach (var app in apps.OrderBy(a => a.Name(), StringComparer.Ordinal))
        {
            var problem = problems.FirstOrDefault(p => p.Application == app.Name())?.Message;
            var entry = new JsonObject
            {
                ["name"] = app.Name(),
                ["namespace"] = app.Namespace(),
                ["syncStatus"] = app["status"]?["sync"]?["status"]?.GetValue<string>() ?? "Unknown",
                ["healthStatus"] = app["status"]?["health"]?["status"]?.GetValue<string>() ?? "Unknown",
            };
            var message = problem ?? app["status"]?["health"]?["message"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(message))
            {
                entry["healthMessage"] = message;
            }
            list.Add(entry);
        }
        _status["applications"] = list;
    }

    private JsonObject? Condition(string type) =>
        (_status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
}
