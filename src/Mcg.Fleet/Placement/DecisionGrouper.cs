namespace Mcg.Fleet.Placement;

/// <summary>
/// Splits the selected clusters into decision groups and PlacementDecisions as upstream does: clusters matching a
/// predefined group's selector go to that group first (in spec order), the rest to unnamed groups; each group holds
/// at most <see cref="GroupStrategy.GroupLength"/> clusters (sorted by name); each PlacementDecision holds at most
/// <see cref="MaxDecisionsPerObject"/> and is named <c>&lt;placement&gt;-decision-&lt;n&gt;</c> with n counting from
/// 1 across groups. With nothing selected there is one empty group with one empty decision.
/// </summary>
public static class DecisionGrouper
{
    public const int MaxDecisionsPerObject = 100;

    /// <exception cref="PlacementMisconfiguredException">clustersPerDecisionGroup is not valid.</exception>
    public static IReadOnlyList<DecisionGroupPlan> Plan(string placementName, GroupStrategy strategy, IReadOnlyList<ManagedClusterInfo> selected)
    {
        var length = strategy.GroupLength(selected.Count);
        var remaining = selected.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var groups = new List<(string Name, List<string> Clusters)>();
        foreach (var group in strategy.DecisionGroups)
        {
            var matched = selected.Where(c => remaining.Contains(c.Name) && group.Selector.Matches(c)).Select(c => c.Name).ToList();
            remaining.ExceptWith(matched);
            groups.AddRange(Divide(group.GroupName, matched, length));
        }
        groups.AddRange(Divide("", [.. remaining], length));
        if (groups.Count == 0)
        {
            groups.Add(("", []));
        }

        var plans = new List<DecisionGroupPlan>();
        var decisionIndex = 1;
        for (var index = 0; index < groups.Count; index++)
        {
            var (name, clusters) = groups[index];
            var decisions = new List<PlacementDecisionPlan>();
            for (var start = 0; start < clusters.Count || decisions.Count == 0; start += MaxDecisionsPerObject)
            {
                var slice = clusters.Skip(start).Take(MaxDecisionsPerObject).ToList();
                decisions.Add(new PlacementDecisionPlan($"{placementName}-decision-{decisionIndex++}", index, name, slice));
            }
            plans.Add(new DecisionGroupPlan(index, name, clusters, decisions));
        }
        return plans;
    }

    private static IEnumerable<(string Name, List<string> Clusters)> Divide(string name, List<string> clusters, int length)
    {
        clusters.Sort(StringComparer.Ordinal);
        for (var start = 0; start < clusters.Count; start += Math.Max(1, length))
        {
            yield return (name, clusters.Skip(start).Take(Math.Max(1, length)).ToList());
        }
    }
}
