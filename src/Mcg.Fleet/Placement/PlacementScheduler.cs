namespace Mcg.Fleet.Placement;

/// <summary>
/// Selects clusters for a Placement from its candidate clusters (members of the eligible cluster sets), as upstream's
/// scheduler does: the Predicate filter (predicates ORed), the TaintToleration filter, then the prioritizers
/// (Steady, Balance, ResourceAllocatableCPU/Memory with the policy's weights; scores -100..100 times weight), sorted by
/// total score, ties by name, cut to numberOfClusters.
/// <para>
/// One deliberate difference for stability: while Steady has a positive weight, clusters already in the placement's
/// decisions that are still feasible rank ahead of all others (upstream only adds Steady's 100 points, which Balance
/// can outweigh when another placement piles onto a selected cluster). So a new matching cluster never displaces a
/// selected one; with Steady weighted 0 or less the order is by score alone.
/// </para>
/// </summary>
public static class PlacementScheduler
{
    public const int MaxScore = 100;

    /// <param name="spec">The placement's parsed spec.</param>
    /// <param name="candidates">Members of the eligible cluster sets (not deleting).</param>
    /// <param name="existingDecisions">Clusters in the placement's current PlacementDecisions.</param>
    /// <param name="otherDecisionCounts">Per cluster, how many decisions of other placements (all namespaces) select it.</param>
    /// <param name="now">The current time, for tolerationSeconds.</param>
    public static ScheduleResult Schedule(PlacementSpec spec, IEnumerable<ManagedClusterInfo> candidates,
        IReadOnlySet<string> existingDecisions, IReadOnlyDictionary<string, int> otherDecisionCounts, DateTimeOffset now)
    {
        var feasible = new List<ManagedClusterInfo>();
        var until = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var cluster in candidates.DistinctBy(c => c.Name))
        {
            if (spec.Predicates.Count > 0 && !spec.Predicates.Any(p => p.Matches(cluster)))
            {
                continue;
            }
            var (tolerated, tolerationEnds) = TaintToleration.Check(cluster, spec.Tolerations, existingDecisions.Contains(cluster.Name), now);
            if (!tolerated)
            {
                continue;
            }
            if (tolerationEnds is { } t)
            {
                until[cluster.Name] = t;
            }
            feasible.Add(cluster);
        }

        var scores = Score(spec.Weights, feasible, existingDecisions, otherDecisionCounts);
        var steady = spec.Weights.Steady > 0;
        var ordered = feasible
            .OrderByDescending(c => steady && existingDecisions.Contains(c.Name))
            .ThenByDescending(c => scores[c.Name])
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var selected = spec.NumberOfClusters is { } n && n < ordered.Count ? ordered.Take(n).ToList() : ordered;
        var rescheduleAt = selected.Where(c => until.ContainsKey(c.Name)).Select(c => (DateTimeOffset?)until[c.Name]).Min();
        return new ScheduleResult
        {
            Selected = selected,
            Feasible = ordered,
            Unscheduled = spec.NumberOfClusters is { } wanted ? Math.Max(0, wanted - selected.Count) : 0,
            Scores = scores,
            RescheduleAt = rescheduleAt,
        };
    }

    private static Dictionary<string, long> Score(PrioritizerWeights weights, IReadOnlyList<ManagedClusterInfo> clusters,
        IReadOnlySet<string> existing, IReadOnlyDictionary<string, int> otherCounts)
    {
        var scores = clusters.ToDictionary(c => c.Name, _ => 0L, StringComparer.Ordinal);
        if (weights.Steady != 0)
        {
            foreach (var c in clusters)
            {
                scores[c.Name] += weights.Steady * (existing.Contains(c.Name) ? MaxScore : 0);
            }
        }
        if (weights.Balance != 0)
        {
            var max = otherCounts.Values.DefaultIfEmpty(0).Max();
            foreach (var c in clusters)
            {
                var score = otherCounts.TryGetValue(c.Name, out var count) && count > 0
                    ? 2 * (long)(MaxScore * (0.5 - (double)count / max))
                    : MaxScore;
                scores[c.Name] += weights.Balance * score;
            }
        }
        AddAllocatable(scores, clusters, "cpu", weights.AllocatableCpu);
        AddAllocatable(scores, clusters, "memory", weights.AllocatableMemory);
        return scores;
    }

    private static void AddAllocatable(Dictionary<string, long> scores, IReadOnlyList<ManagedClusterInfo> clusters, string resource, int weight)
    {
        if (weight == 0)
        {
            return;
        }
        var values = clusters
            .Where(c => c.Allocatable.ContainsKey(resource) && c.Capacity.ContainsKey(resource))
            .ToDictionary(c => c.Name, c => c.Allocatable[resource], StringComparer.Ordinal);
        if (values.Count == 0)
        {
            return;
        }
        var min = values.Values.Min();
        var max = values.Values.Max();
        foreach (var (name, allocatable) in values)
        {
            var score = max - min != 0 ? (long)(((allocatable - min) / (max - min) - 0.5) * 2.0 * MaxScore) : MaxScore;
            scores[name] += weight * score;
        }
    }
}
