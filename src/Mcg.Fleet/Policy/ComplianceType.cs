namespace Mcg.Fleet.Policy;

/// <summary>How an object template is compared with the cluster (<c>complianceType</c>).</summary>
public enum ComplianceType
{
    /// <summary>The object exists and has at least the given fields (list items must be present).</summary>
    MustHave,

    /// <summary>The object exists and the given fields are exactly as given (lists equal, no extra keys).</summary>
    MustOnlyHave,

    /// <summary>The object does not exist (an unnamed template: no object matches the given fields).</summary>
    MustNotHave,
}
