using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>Compact JSON text for path elements, and the order structured-merge-diff gives JSON values.</summary>
internal static class JsonText
{
    // Relaxed escaping keeps quotes as \" and non-ASCII as-is, as Kubernetes writes fieldsV1 keys.
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Of(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static string Quote(string s) => JsonValue.Create(s).ToJsonString(Options);

    /// <summary>Orders numbers, then strings, booleans, arrays, objects, and null last.</summary>
    public static int Compare(JsonNode? a, JsonNode? b)
    {
        var (ra, rb) = (Rank(a), Rank(b));
        if (ra != rb)
        {
            return ra.CompareTo(rb);
        }
        return ra switch
        {
            0 => double.Parse(Of(a), CultureInfo.InvariantCulture).CompareTo(double.Parse(Of(b), CultureInfo.InvariantCulture)),
            1 => string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>()),
            3 => CompareArrays((JsonArray)a!, (JsonArray)b!),
            _ => string.CompareOrdinal(Of(a), Of(b)),
        };
    }

    private static int Rank(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Number => 0,
        JsonValueKind.String => 1,
        JsonValueKind.True or JsonValueKind.False => 2,
        JsonValueKind.Array => 3,
        JsonValueKind.Object => 4,
        _ => 5,
    };

    private static int CompareArrays(JsonArray a, JsonArray b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = Compare(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
