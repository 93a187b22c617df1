using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>
/// The weights of the prioritizers from <c>spec.prioritizerPolicy</c>: in Additive mode (the default) Steady and
/// Balance weigh 1 unless configured; in Exact mode only configured prioritizers count. AddOn scores and the Spread
/// prioritizer are accepted but score every cluster 0 (no AddOnPlacementScore objects are served).
/// </summary>
public sealed record PrioritizerWeights(int Steady, int Balance, int AllocatableCpu, int AllocatableMemory)
{
    public const string BuiltInSteady = "Steady";
    public const string BuiltInBalance = "Balance";
    public const string BuiltInAllocatableCpu = "ResourceAllocatableCPU";
    public const string BuiltInAllocatableMemory = "ResourceAllocatableMemory";
    public const string BuiltInSpread = "Spread";

    public static readonly PrioritizerWeights Default = new(1, 1, 0, 0);

    /// <exception cref="PlacementMisconfiguredException">An unknown mode or prioritizer.</exception>
    public static PrioritizerWeights FromPolicy(JsonObject? policy)
    {
        var mode = policy?.GetString("mode") ?? "";
        var weights = mode switch
        {
            "" or "Additive" => Default,
            "Exact" => new PrioritizerWeights(0, 0, 0, 0),
            _ => throw new PlacementMisconfiguredException("", $"incorrect prioritizer policy mode: {mode}"),
        };
        foreach (var config in (policy?["configurations"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (config["scoreCoordinate"] is not JsonObject coordinate)
            {
                throw new PlacementMisconfiguredException("", "scoreCoordinate field is required");
            }
            var weight = config["weight"] is JsonValue w && w.TryGetValue<int>(out var value) ? value : 1;
            var type = coordinate.GetString("type") ?? "";
            if (type is "AddOn")
            {
                if (coordinate["addOn"] is not JsonObject)
                {
                    throw new PlacementMisconfiguredException("", "addOn should not be empty");
                }
                continue;
            }
            if (type is not ("" or "BuiltIn"))
            {
                throw new PlacementMisconfiguredException("", $"incorrect score coordinate type: {type}");
            }
            weights = (coordinate.GetString("builtIn") ?? "") switch
            {
                BuiltInSteady => weights with { Steady = weight },
                BuiltInBalance => weights with { Balance = weight },
                BuiltInAllocatableCpu => weights with { AllocatableCpu = weight },
                BuiltInAllocatableMemory => weights with { AllocatableMemory = weight },
                BuiltInSpread => weights,
                var other => throw new PlacementMisconfiguredException("", $"incorrect builtin prioritizer: {other}"),
            };
        }
        return weights;
    }
}
