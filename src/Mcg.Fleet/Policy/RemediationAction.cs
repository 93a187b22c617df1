namespace Mcg.Fleet.Policy;

/// <summary>What the agent does about a violation (<c>remediationAction</c>).</summary>
public enum RemediationAction
{
    /// <summary>Report only.</summary>
    Inform,

    /// <summary>Create, update or delete objects to comply.</summary>
    Enforce,
}
