namespace Mcg.Fleet.Placement;

/// <summary>The type and status of one ManagedCluster <c>status.conditions</c> entry.</summary>
public sealed record ClusterCondition(string Type, string Status);
