using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Compares scalar template values with live ones as upstream does: by their printed form (so <c>1</c>, <c>1.0</c> and
/// <c>"1"</c> are equal), quantity strings by value (<c>1Gi</c> = <c>1024Mi</c>), and a missing or null value equal to a
/// zero value (<c>""</c>, <c>0</c>, <c>false</c>, null) because the API server omits empty fields.
/// </summary>
internal static class ValueComparer
{
    public static bool ScalarEquals(JsonNode? desired, JsonNode? existing)
    {
        if (desired is null || existing is null)
        {
            return IsZero(desired) && IsZero(existing);
        }
        if (desired is not JsonValue d || existing is not JsonValue e)
        {
            return false;
        }
        if (d.GetValueKind() == JsonValueKind.String && e.GetValueKind() == JsonValueKind.String)
        {
            var ds = d.GetValue<string>();
            var es = e.GetValue<string>();
            if (ds == es)
            {
                return true;
            }
            return Quantity.TryParse(ds, out var dq) && Quantity.TryParse(es, out var eq) && dq == eq;
        }
        return Print(d) == Print(e);
    }

    /// <summary>A zero value: absent, null, "", 0, false, or an empty list or map.</summary>
    public static bool IsZero(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False or JsonValueKind.Null => true,
            JsonValueKind.Number => double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == 0,
            _ => false,
        },
        _ => false,
    };

    /// <summary>The printed form of a scalar (Go's fmt.Sprint of the decoded value).</summary>
    public static string Print(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "<nil>",
        JsonValueKind.Number => double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n.ToString("R", CultureInfo.InvariantCulture)
            : value.ToJsonString(),
        _ => value.ToJsonString(),
    };
}
