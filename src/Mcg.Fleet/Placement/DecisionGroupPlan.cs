namespace Mcg.Fleet.Placement;

/// <summary>One decision group: its index and name, its clusters (by name) and the PlacementDecisions holding them.</summary>
public sealed record DecisionGroupPlan(int Index, string Name, IReadOnlyList<string> Clusters, IReadOnlyList<PlacementDecisionPlan> Decisions);
