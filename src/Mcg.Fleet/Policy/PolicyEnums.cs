namespace Mcg.Fleet.Policy;

/// <summary>Case-insensitive parsing of the policy enums, as upstream compares them (strings.EqualFold).</summary>
public static class PolicyEnums
{
    public static ComplianceType? ParseComplianceType(string? text) => text?.ToLowerInvariant() switch
    {
        "musthave" => ComplianceType.MustHave,
        "mustonlyhave" => ComplianceType.MustOnlyHave,
        "mustnothave" => ComplianceType.MustNotHave,
        _ => null,
    };

    public static RemediationAction? ParseRemediationAction(string? text) => text?.ToLowerInvariant() switch
    {
        "inform" or "informonly" => RemediationAction.Inform,
        "enforce" => RemediationAction.Enforce,
        _ => null,
    };
}
