namespace Mcg.Fleet.Placement;

/// <summary>What <see cref="PlacementScheduler"/> decided for one Placement.</summary>
public sealed record ScheduleResult
{
    /// <summary>The selected clusters, best first.</summary>
    public IReadOnlyList<ManagedClusterInfo> Selected { get; init; } = [];

    /// <summary>Clusters that passed the predicates and taint filters (before numberOfClusters), best first.</summary>
    public IReadOnlyList<ManagedClusterInfo> Feasible { get; init; } = [];

    /// <summary>How many of numberOfClusters could not be met (0 without numberOfClusters).</summary>
    public int Unscheduled { get; init; }

    /// <summary>The weighted prioritizer score of each feasible cluster.</summary>
    public IReadOnlyDictionary<string, long> Scores { get; init; } = new Dictionary<string, long>();

    /// <summary>When a selected cluster's toleration runs out: schedule again then.</summary>
    public DateTimeOffset? RescheduleAt { get; init; }
}
