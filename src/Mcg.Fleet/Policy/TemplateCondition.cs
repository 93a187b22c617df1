namespace Mcg.Fleet.Policy;

/// <summary>The condition of one object template (a ConfigurationPolicy's <c>status.compliancyDetails[].conditions[0]</c>).</summary>
public sealed record TemplateCondition(bool Compliant, string Reason, string Message)
{
    /// <summary><c>notification</c> when compliant, <c>violation</c> otherwise.</summary>
    public string Type => Compliant ? "notification" : "violation";

    public string State => Compliant ? ComplianceStates.Compliant : ComplianceStates.NonCompliant;
}
