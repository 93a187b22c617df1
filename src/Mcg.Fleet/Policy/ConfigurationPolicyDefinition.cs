using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>
/// A ConfigurationPolicy (policy.open-cluster-management.io/v1) as a policy template carries it: name, remediationAction
/// (inform | enforce, any case), severity, namespaceSelector, object-templates and evaluationInterval.
/// </summary>
public sealed class ConfigurationPolicyDefinition
{
    public const string Kind = "ConfigurationPolicy";

    private ConfigurationPolicyDefinition(string name, JsonObject definition)
    {
        Name = name;
        Definition = definition;
    }

    public string Name { get; }

    /// <summary>The object definition (with any policy-level remediationAction already applied).</summary>
    public JsonObject Definition { get; }

    public RemediationAction? RemediationAction { get; private init; }
    public string? Severity { get; private init; }
    public JsonObject? NamespaceSelector { get; private init; }
    public IReadOnlyList<ObjectTemplate> ObjectTemplates { get; private init; } = [];
    public EvaluationSchedule Compliant { get; private init; } = new(EvaluationMode.Periodic, EvaluationSchedule.DefaultInterval);
    public EvaluationSchedule NonCompliant { get; private init; } = new(EvaluationMode.Periodic, EvaluationSchedule.DefaultInterval);

    /// <summary>An error that makes the policy invalid (reported as its only, noncompliant, condition), or null.</summary>
    public string? Error { get; private init; }

    public static bool IsConfigurationPolicy(JsonObject definition) =>
        definition.Kind() == Kind && definition.ApiVersion()?.StartsWith(Crds.OcmCrds.PolicyGroup + "/", StringComparison.Ordinal) == true;

    public static ConfigurationPolicyDefinition Parse(JsonObject definition, TimeSpan defaultInterval)
    {
        var name = definition.Name() ?? "";
        var spec = definition["spec"] as JsonObject ?? new JsonObject();
        var interval = spec["evaluationInterval"] as JsonObject;
        var templates = new List<ObjectTemplate>();
        string? error = null;
        var remediation = PolicyEnums.ParseRemediationAction(spec.GetString("remediationAction"));
        if (remediation is null)
        {
            error = "Policy does not have a RemediationAction specified";
        }
        var index = 0;
        foreach (var node in spec["object-templates"] as JsonArray ?? [])
        {
            if (node is not JsonObject template || template["objectDefinition"] is not JsonObject objectDefinition)
            {
                error ??= $"The object template at index {index} in policy {name} has no objectDefinition";
                index++;
                continue;
            }
            var type = PolicyEnums.ParseComplianceType(template.GetString("complianceType"));
            if (type is null)
            {
                error ??= $"The object template at index {index} in policy {name} has an invalid complianceType \"{template.GetString("complianceType")}\"";
            }
            templates.Add(new ObjectTemplate(type ?? ComplianceType.MustHave,
                PolicyEnums.ParseComplianceType(template.GetString("metadataComplianceType")), objectDefinition));
            index++;
        }
        return new ConfigurationPolicyDefinition(name, definition)
        {
            RemediationAction = remediation,
            Severity = spec.GetString("severity"),
            NamespaceSelector = spec["namespaceSelector"] as JsonObject,
            ObjectTemplates = templates,
            Compliant = EvaluationSchedule.Parse(interval?.GetString("compliant"), defaultInterval),
            NonCompliant = EvaluationSchedule.Parse(interval?.GetString("noncompliant"), defaultInterval),
            Error = error,
        };
    }

    /// <summary>The schedule for the policy's current state (unknown counts as noncompliant, as upstream).</summary>
    public EvaluationSchedule ScheduleFor(bool? compliant) => compliant == true ? Compliant : NonCompliant;
}
