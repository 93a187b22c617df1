namespace Mcg.Fleet.Placement;

/// <summary>A <c>decisionStrategy.groupStrategy.decisionGroups</c> entry.</summary>
public sealed record DecisionGroupSpec(string GroupName, ClusterSelector Selector);
