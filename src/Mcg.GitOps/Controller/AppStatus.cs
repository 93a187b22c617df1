using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;

namespace Mcg.GitOps.Controller;

/// <summary>Builds the parts of <c>status</c> the comparison owns, in Argo CD's shapes.</summary>
public static class AppStatus
{
    public static JsonObject FromComparison(ApplicationSpec spec, Comparison c, IReadOnlyList<JsonObject> conditions)
    {
        var sync = new JsonObject
        {
            ["status"] = c.Synced ? "Synced" : "OutOfSync",
            ["comparedTo"] = ComparedTo(spec),
        };
        SetRevisions(sync, spec, c.Revisions);
        return new JsonObject
        {
            ["sync"] = sync,
            ["health"] = HealthJson(c.Health),
            ["resources"] = new JsonArray(c.Resources.Where(r => !r.IsHook).Select(r => (JsonNode)r.ToJson()).ToArray()),
            ["conditions"] = conditions.Count == 0 ? null : new JsonArray(conditions.Select(x => (JsonNode)x.DeepClone()).ToArray()),
            ["sourceType"] = "Directory",
            ["summary"] = new JsonObject(),
        };
    }

    public static JsonObject Unknown(ApplicationSpec? spec, IReadOnlyList<JsonObject> conditions, JsonNode? previousResources)
    {
        var sync = new JsonObject { ["status"] = "Unknown" };
        if (spec is not null)
        {
            sync["comparedTo"] = ComparedTo(spec);
        }
        return new JsonObject
        {
            ["sync"] = sync,
            ["health"] = new JsonObject { ["status"] = "Unknown" },
            ["resources"] = previousResources?.DeepClone(),
            ["conditions"] = new JsonArray(conditions.Select(x => (JsonNode)x.DeepClone()).ToArray()),
        };
    }

    public static JsonObject Condition(string type, string message, DateTimeOffset now) => new()
    {
        ["type"] = type,
        ["message"] = message,
        ["lastTransitionTime"] = Timestamp(now),
    };

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static void SetRevisions(JsonObject target, ApplicationSpec spec, IReadOnlyList<string> revisions)
    {
        if (spec.MultiSource)
        {
            target["revisions"] = new JsonArray(revisions.Select(r => (JsonNode)r).ToArray());
        }
        else if (revisions.Count > 0)
        {
            target["revision"] = revisions[0];
        }
    }

    private static JsonObject ComparedTo(ApplicationSpec spec)
    {
        var compared = new JsonObject
        {
            ["destination"] = new JsonObject
            {
                ["server"] = spec.Destination.Server,
                ["name"] = spec.Destination.Name,
                ["namespace"] = spec.Destination.Namespace,
            },
        };
        if (spec.MultiSource)
        {
            compared["sources"] = new JsonArray(spec.Sources.Select(s => (JsonNode)s.ToJson()).ToArray());
        }
        else
        {
            compared["source"] = spec.Sources[0].ToJson();
        }
        return compared;
    }

    private static JsonObject HealthJson(Health.HealthStatus h)
    {
        var o = new JsonObject { ["status"] = h.Status.ToString() };
        if (h.Message.Length > 0)
        {
            o["message"] = h.Message;
        }
        return o;
    }
}
