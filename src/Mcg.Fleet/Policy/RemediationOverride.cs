using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>
/// A policy's <c>spec.remediationAction</c>, when set, overrides the remediationAction of its policy templates (the
/// policy framework's templates: those of the policy.open-cluster-management.io group; Gatekeeper constraints keep theirs).
/// <c>informOnly</c> makes every template <c>inform</c>.
/// </summary>
internal static class RemediationOverride
{
    /// <summary>Sets the policy's remediationAction on its templates' specs; returns whether it changed anything.</summary>
    public static bool Apply(JsonObject policySpec)
    {
        if (policySpec.GetString("remediationAction") is not { Length: > 0 } action || policySpec["policy-templates"] is not JsonArray templates)
        {
            return false;
        }
        if (action.Equals("informOnly", StringComparison.OrdinalIgnoreCase))
        {
            action = "inform";
        }
        var changed = false;
        foreach (var definition in templates.OfType<JsonObject>().Select(t => t["objectDefinition"]).OfType<JsonObject>())
        {
            if (definition.ApiVersion()?.StartsWith(OcmCrds.PolicyGroup + "/", StringComparison.Ordinal) == true
                && definition["spec"] is JsonObject spec && spec.GetString("remediationAction") != action)
            {
                spec["remediationAction"] = action;
                changed = true;
            }
        }
        return changed;
    }
}
