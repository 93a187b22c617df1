namespace Mcg.Fleet.Placement;

/// <summary>The Placement status conditions, with upstream's reasons and messages.</summary>
public static class PlacementConditions
{
    public const string Satisfied = "PlacementSatisfied";
    public const string Misconfigured = "PlacementMisconfigured";

    public static ConditionValue MisconfiguredCondition(PlacementMisconfiguredException? error) =>
        error is null
            ? new ConditionValue("False", "Succeedconfigured", "Placement configurations check pass")
            : new ConditionValue("True", "Misconfigured", $"{error.Plugin}:{error.Message}");

    /// <summary>Upstream's newSatisfiedCondition, in its order of precedence.</summary>
    public static ConditionValue SatisfiedCondition(IReadOnlyList<string> clusterSetsInSpec, IReadOnlyList<string> eligibleClusterSets,
        int bindings, int availableClusters, int feasibleClusters, int unscheduled)
    {
        if (bindings == 0)
        {
            return new ConditionValue("False", "NoManagedClusterSetBindings", "No valid ManagedClusterSetBindings found in placement namespace");
        }
        if (eligibleClusterSets.Count == 0)
        {
            return new ConditionValue("False", "NoIntersection", $"None of ManagedClusterSets [{string.Join(",", clusterSetsInSpec)}] is bound to placement namespace");
        }
        if (availableClusters == 0)
        {
            return new ConditionValue("False", "AllManagedClusterSetsEmpty", $"All ManagedClusterSets [{string.Join(",", eligibleClusterSets)}] have no member ManagedCluster");
        }
        if (feasibleClusters == 0)
        {
            return new ConditionValue("False", "NoManagedClusterMatched", "No ManagedCluster matches any of the cluster predicate");
        }
        return unscheduled == 0
            ? new ConditionValue("True", "AllDecisionsScheduled", "All cluster decisions scheduled")
            : new ConditionValue("False", "NotAllDecisionsScheduled", $"{unscheduled} cluster decisions unscheduled");
    }
}
