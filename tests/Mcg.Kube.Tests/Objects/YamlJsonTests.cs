using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Tests.Objects;

public sealed class YamlJsonTests
{
    [Fact]
    public void ScalarsAreTypedAsYaml12CoreSchema()
    {
        var doc = YamlJson.Parse("a: 1\nb: true\nc: '1'\nd: 1.5\ne: null\nf: ~\ng: hello\nh: \"true\"\ni: 0x1F\n")!;
        Assert.Equal("""{"a":1,"b":true,"c":"1","d":1.5,"e":null,"f":null,"g":"hello","h":"true","i":31}""", doc.ToJsonString());
    }

    [Fact]
    public void RoundTripsBuiltAndParsedNodesAlike()
    {
        var built = new JsonObject { ["name"] = "x", ["count"] = 3, ["flag"] = false, ["quoted"] = "123", ["multi"] = "a\nb\n", ["list"] = new JsonArray(1, "two") };
        var parsed = JsonNode.Parse(built.ToJsonString());
        Assert.Equal(YamlJson.ToYaml(built), YamlJson.ToYaml(parsed));
        Assert.True(JsonNode.DeepEquals(built, YamlJson.Parse(YamlJson.ToYaml(built))));
    }

    [Fact]
    public void ErrorsNameTheSourceAndLine()
    {
        var e = Assert.Throws<FormatException>(() => YamlJson.ParseAll("a: 1\nb: [unclosed\n", "app/broken.yaml"));
        Assert.StartsWith("app/broken.yaml: line ", e.Message);
        Assert.Throws<FormatException>(() => YamlJson.Parse("a: 1\na: 2\n", "dup.yaml"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\n\n")]
    [InlineData("a\n")]
    [InlineData("a\nb")]
    [InlineData("x\n\n")]
    [InlineData(" leading\nline")]
    [InlineData("\nafter a blank line")]
    [InlineData("trailing \nspace")]
    [InlineData("crlf\r\nline")]
    [InlineData("  \n  ")]
    public void Multi_line_strings_survive_a_round_trip(string text)
    {
        var yaml = YamlJson.ToYaml(new JsonObject { ["v"] = text });
        Assert.Equal(text, YamlJson.Parse(yaml)!["v"]!.GetValue<string>());
    }
}
