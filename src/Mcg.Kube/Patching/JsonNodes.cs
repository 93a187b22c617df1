using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

internal static class JsonNodes
{
    /// <summary>JSON null is usually a null reference, but a JsonValue can also wrap a null element.</summary>
    public static bool IsNull(JsonNode? node) => node is null || node.GetValueKind() == JsonValueKind.Null;

    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Empties <paramref name="array"/> and returns its former items, now free to be re-parented.</summary>
    public static List<JsonNode?> TakeItems(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        return items;
    }
}
