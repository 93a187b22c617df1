using System.Text.Json.Nodes;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>JSON literals for tests (single quotes allowed for readability).</summary>
internal static class Json
{
    public static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json.Replace('\'', '"'))!;

    public static JsonNode? Node(string json) => JsonNode.Parse(json.Replace('\'', '"'));
}
