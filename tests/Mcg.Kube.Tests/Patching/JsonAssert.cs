using System.Text.Json.Nodes;

namespace Mcg.Kube.Tests.Patching;

internal static class JsonAssert
{
    /// <summary>Asserts deep equality: object member order is ignored, array order is not.</summary>
    public static void Equal(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"expected {expected?.ToJsonString() ?? "null"}\n but got {actual?.ToJsonString() ?? "null"}");
    }

    public static JsonNode? Parse(string json) => JsonNode.Parse(json);

    /// <summary>Every object key anywhere in <paramref name="node"/>.</summary>
    public static IEnumerable<string> AllKeys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => AllKeys(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(AllKeys),
        _ => [],
    };
}
