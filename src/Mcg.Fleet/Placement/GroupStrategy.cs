using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>
/// <c>spec.decisionStrategy.groupStrategy</c>: predefined decision groups and the maximum number of clusters per
/// group (<c>clustersPerDecisionGroup</c>: a count or a percentage of the selected clusters; default all in one group).
/// </summary>
public sealed record GroupStrategy(IReadOnlyList<DecisionGroupSpec> DecisionGroups, string? ClustersPerDecisionGroup)
{
    public static readonly GroupStrategy None = new([], null);

    /// <exception cref="PlacementMisconfiguredException">A group selector is not valid.</exception>
    public static GroupStrategy FromObject(JsonObject? strategy)
    {
        if (strategy is null)
        {
            return None;
        }
        var groups = new List<DecisionGroupSpec>();
        foreach (var group in (strategy["decisionGroups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            try
            {
                groups.Add(new DecisionGroupSpec(group.GetString("groupName") ?? "", ClusterSelector.FromObject(group["groupClusterSelector"] as JsonObject)));
            }
            catch (FormatException e)
            {
                throw new PlacementMisconfiguredException("", e.Message);
            }
        }
        var perGroup = strategy["clustersPerDecisionGroup"] switch
        {
            JsonValue v when v.TryGetValue<long>(out var n) => n.ToString(CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => null,
        };
        return new GroupStrategy(groups, perGroup);
    }

    /// <summary>The maximum group size for <paramref name="total"/> selected clusters (upstream's calculateLength).</summary>
    /// <exception cref="PlacementMisconfiguredException">Neither a number nor a percentage.</exception>
    public int GroupLength(int total)
    {
        var length = total;
        if (ClustersPerDecisionGroup is { Length: > 0 } text)
        {
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                length = n;
            }
            else if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
            {
                length = (int)Math.Ceiling(percent / 100 * total);
            }
            else
            {
                throw new PlacementMisconfiguredException("", $"{text} invalid type: string is not a percentage");
            }
        }
        return length <= 0 || length > total ? total : length;
    }
}
