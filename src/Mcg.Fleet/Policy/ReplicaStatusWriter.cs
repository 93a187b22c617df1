using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Reports template compliance on a replicated policy as the framework's status-sync does: each new compliance message
/// becomes an Event on the policy (reason <c>policy: &lt;namespace&gt;/&lt;template&gt;</c>) and an entry at the head of the
/// template's <c>status.details[].history</c> (newest first, at most 10); a template's <c>compliant</c> is that of its
/// latest message, and the policy's <c>status.compliant</c> combines them (NonCompliant, Pending, unknown, Compliant).
/// </summary>
internal sealed class ReplicaStatusWriter(IKubeClient hub, EventRecorder events, string component)
{
    public const int MaxHistory = 10;

    /// <summary>The latest message of a template in the policy's status, or null.</summary>
    public static string? LatestMessage(JsonObject policy, string templateName) =>
        ((Details(policy).FirstOrDefault(d => TemplateName(d) == templateName)?["history"] as JsonArray)?.FirstOrDefault() as JsonObject)?.GetString("message");

    /// <summary>
    /// Records the new messages (oldest first) of each template, in the order of the policy's templates; returns the
    /// updated policy, or null when its status did not change.
    /// </summary>
    public async Task<JsonObject?> WriteAsync(JsonObject policy, IReadOnlyList<(string Template, IReadOnlyList<string> NewMessages)> templates, CancellationToken ct)
    {
        var previous = Details(policy).ToList();
        var details = new JsonArray();
        var states = new List<string?>();
        foreach (var (template, newMessages) in templates)
        {
            var detail = previous.FirstOrDefault(d => TemplateName(d) == template)?.DeepClone() as JsonObject
                ?? new JsonObject { ["templateMeta"] = new JsonObject { ["name"] = template } };
            var history = (detail["history"] as JsonArray)?.OfType<JsonObject>().Select(h => (JsonObject)h.DeepClone()).ToList() ?? [];
            foreach (var message in newMessages)
            {
                var state = ComplianceStates.FromMessage(message);
                var (name, time, _) = await events.RecordAsync(policy, component, state == ComplianceStates.Compliant ? EventRecorder.Normal : EventRecorder.Warning,
                    $"policy: {policy.Namespace()}/{template}", message,
                    related: new JsonObject
                    {
                        ["apiVersion"] = OcmCrds.ConfigurationPolicies.ApiVersion,
                        ["kind"] = OcmCrds.ConfigurationPolicies.Kind,
                        ["metadata"] = new JsonObject { ["name"] = template, ["namespace"] = policy.Namespace() },
                    },
                    action: "ComplianceStateUpdate", ct: ct);
                history.Insert(0, new JsonObject
                {
                    ["eventName"] = name,
                    ["lastTimestamp"] = EventRecorder.Timestamp(time),
                    ["message"] = message,
                });
            }
            if (history.Count > MaxHistory)
            {
                history.RemoveRange(MaxHistory, history.Count - MaxHistory);
            }
            detail["history"] = new JsonArray(history.Select(h => (JsonNode)h).ToArray());
            var compliant = ComplianceStates.FromMessage(history.FirstOrDefault()?["message"]?.GetValue<string>());
            if (compliant is null)
            {
                detail.Remove("compliant");
            }
            else
            {
                detail["compliant"] = compliant;
            }
            details.Add(detail);
            states.Add(compliant);
        }
        var desired = new JsonObject
        {
            ["compliant"] = ComplianceStates.Aggregate(states),
            ["details"] = details,
        };
        var current = policy["status"] as JsonObject;
        if (desired.All(kv => JsonNode.DeepEquals(kv.Value, current?[kv.Key])))
        {
            return null;
        }
        return await hub.PatchAsync(OcmCrds.Policies, policy.Namespace(), policy.Name()!, PatchType.Merge, new JsonObject { ["status"] = desired },
            new PatchOptions { Subresource = "status" }, ct);
    }

    private static IEnumerable<JsonObject> Details(JsonObject policy) =>
        (policy["status"]?["details"] as JsonArray)?.OfType<JsonObject>() ?? [];

    private static string? TemplateName(JsonObject detail) => (detail["templateMeta"] as JsonObject)?.GetString("name");
}
