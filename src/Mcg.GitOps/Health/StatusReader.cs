using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Health;

/// <summary>One entry of a <c>status.conditions</c> list; absent fields read as empty strings, as Go's typed structs do.</summary>
internal sealed record Condition(string Type, string Status, string Reason, string Message, string LastTransitionTime);

/// <summary>
/// Lenient readers for unstructured objects. Absent or mistyped fields read as Go's zero values (0, "", false), which is
/// what gitops-engine's checks see after converting to typed structs.
/// </summary>
internal static class StatusReader
{
    public static JsonNode? At(this JsonObject obj, params string[] path)
    {
        JsonNode? node = obj;
        foreach (var key in path)
        {
            node = node is JsonObject o ? o[key] : null;
        }
        return node;
    }

    public static string Str(this JsonObject obj, params string[] path) => AsString(obj.At(path)) ?? "";

    public static string? OptionalStr(this JsonObject obj, params string[] path) => AsString(obj.At(path));

    public static long Int(this JsonObject obj, params string[] path) => AsInt(obj.At(path)) ?? 0;

    public static long? OptionalInt(this JsonObject obj, params string[] path) => AsInt(obj.At(path));

    public static bool Bool(this JsonObject obj, params string[] path) =>
        obj.At(path) is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static JsonArray Array(this JsonObject obj, params string[] path) => obj.At(path) as JsonArray ?? [];

    public static long Generation(this JsonObject obj) => obj.Int("metadata", "generation");

    public static IReadOnlyList<Condition> Conditions(this JsonObject obj) => ParseConditions(obj.Array("status", "conditions"));

    public static IReadOnlyList<Condition> ParseConditions(JsonArray conditions) =>
        conditions.OfType<JsonObject>()
            .Select(c => new Condition(c.Str("type"), c.Str("status"), c.Str("reason"), c.Str("message"), c.Str("lastTransitionTime")))
            .ToList();

    public static Condition? FindCondition(this JsonObject obj, string type) => obj.Conditions().FirstOrDefault(c => c.Type == type);

    /// <summary>Parses an RFC 3339 time as Kubernetes writes it; null when absent or malformed.</summary>
    public static DateTimeOffset? Time(this JsonObject obj, params string[] path) =>
        DateTimeOffset.TryParse(obj.OptionalStr(path), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static string? AsString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? AsInt(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }
        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }
        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }
        return v.TryGetValue<double>(out var d) && d == Math.Floor(d) ? (long)d : null;
    }
}
