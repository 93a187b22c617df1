namespace Mcg.Fleet.Placement;

/// <summary>A status condition's status, reason and message.</summary>
public readonly record struct ConditionValue(string Status, string Reason, string Message);
