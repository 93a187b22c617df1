using System.Text.Json.Nodes;

namespace Mcg.Fleet.Placement;

/// <summary>The parts of a Placement's spec that the scheduler acts on.</summary>
public sealed record PlacementSpec
{
    public IReadOnlyList<string> ClusterSets { get; init; } = [];

    /// <summary>null selects every feasible cluster.</summary>
    public int? NumberOfClusters { get; init; }

    /// <summary>ORed; empty selects every cluster.</summary>
    public IReadOnlyList<ClusterSelector> Predicates { get; init; } = [];
    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];
    public PrioritizerWeights Weights { get; init; } = PrioritizerWeights.Default;
    public GroupStrategy GroupStrategy { get; init; } = GroupStrategy.None;

    /// <summary><c>spec.clusterSets</c> alone (readable even when the rest of the spec is not valid).</summary>
    public static IReadOnlyList<string> ClusterSetsOf(JsonObject placement) =>
        (placement["spec"]?["clusterSets"] as JsonArray ?? [])
            .Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")
            .Where(s => s.Length > 0)
            .ToList();

    /// <exception cref="PlacementMisconfiguredException">The spec cannot be scheduled.</exception>
    public static PlacementSpec FromObject(JsonObject placement)
    {
        var spec = placement["spec"] as JsonObject ?? [];
        var predicates = new List<ClusterSelector>();
        foreach (var predicate in (spec["predicates"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var selector = predicate["requiredClusterSelector"] as JsonObject;
            if (selector?["celSelector"]?["celExpressions"] is JsonArray { Count: > 0 })
            {
                throw new PlacementMisconfiguredException("Predicate", "celSelector is not supported by this hub");
            }
            try
            {
                predicates.Add(ClusterSelector.FromObject(selector));
            }
            catch (FormatException e)
            {
                throw new PlacementMisconfiguredException("Predicate", e.Message);
            }
        }
        return new PlacementSpec
        {
            ClusterSets = ClusterSetsOf(placement),
            NumberOfClusters = spec["numberOfClusters"] is JsonValue v && v.TryGetValue<int>(out var n) ? Math.Max(0, n) : null,
            Predicates = predicates,
            Tolerations = (spec["tolerations"] as JsonArray ?? []).OfType<JsonObject>().Select(Toleration.FromJson).ToList(),
            Weights = PrioritizerWeights.FromPolicy(spec["prioritizerPolicy"] as JsonObject),
            GroupStrategy = GroupStrategy.FromObject(spec["decisionStrategy"]?["groupStrategy"] as JsonObject),
        };
    }
}
