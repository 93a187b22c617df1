namespace Mcg.Fleet.Placement;

/// <summary>One PlacementDecision to write: its name, group and at most 100 cluster names.</summary>
public sealed record PlacementDecisionPlan(string Name, int GroupIndex, string GroupName, IReadOnlyList<string> Clusters);
