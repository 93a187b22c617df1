using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>A Placement <c>spec.tolerations</c> entry.</summary>
public sealed record Toleration(string Key, string Operator, string Value, string Effect, long? TolerationSeconds)
{
    public const string OperatorExists = "Exists";
    public const string OperatorEqual = "Equal";

    /// <exception cref="PlacementMisconfiguredException">The toleration breaks upstream's validation rules.</exception>
    public static Toleration FromJson(JsonObject toleration)
    {
        var result = new Toleration(
            toleration.GetString("key") ?? "",
            toleration.GetString("operator") ?? "",
            toleration.GetString("value") ?? "",
            toleration.GetString("effect") ?? "",
            toleration["tolerationSeconds"] is JsonValue v && v.TryGetValue<long>(out var s) ? s : null);
        if (result.Key.Length == 0 && result.Operator != OperatorExists)
        {
            throw new PlacementMisconfiguredException(TaintToleration.PluginName, "If the key is empty, operator must be Exists.");
        }
        if (result.Operator == OperatorExists && result.Value.Length > 0)
        {
            throw new PlacementMisconfiguredException(TaintToleration.PluginName, "If the operator is Exists, the value should be empty.");
        }
        return result;
    }

    /// <summary>Whether this toleration matches the taint's key, value and effect (ignoring tolerationSeconds).</summary>
    public bool Matches(ClusterTaint taint)
    {
        if (Effect.Length > 0 && Effect != taint.Effect)
        {
            return false;
        }
        if (Key.Length > 0 && Key != taint.Key)
        {
            return false;
        }
        return Operator switch
        {
            "" or OperatorEqual => Value == taint.Value,
            OperatorExists => true,
            _ => false,
        };
    }
}
