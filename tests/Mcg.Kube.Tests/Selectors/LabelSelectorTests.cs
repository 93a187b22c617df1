using System.Text.Json.Nodes;
using Mcg.Kube.Selectors;

namespace Mcg.Kube.Tests.Selectors;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front" };
    private static readonly Dictionary<string, string> Db = new() { ["app"] = "db" };

    [Theory]
    [InlineData("app=web", true, false)]
    [InlineData("app==web", true, false)]
    [InlineData("app!=web", false, true)]
    [InlineData("tier!=front", false, true)]
    [InlineData("app in (web, api)", true, false)]
    [InlineData("app notin (web)", false, true)]
    [InlineData("tier notin (back)", true, true)]
    [InlineData("tier", true, false)]
    [InlineData("!tier", false, true)]
    [InlineData("app=web,tier=front", true, false)]
    [InlineData("app in (web,db),!tier", false, true)]
    [InlineData("", true, true)]
    public void MatchesAllOperators(string selector, bool web, bool db)
    {
        var s = LabelSelector.Parse(selector);
        Assert.Equal(web, s.Matches(Web));
        Assert.Equal(db, s.Matches(Db));
    }

    [Theory]
    [InlineData("app in web")]
    [InlineData("=web")]
    [InlineData("a b c")]
    [InlineData("app=web,,x=y")]
    public void RejectsMalformedSelectors(string selector) =>
        Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

    [Fact]
    public void FromObjectCombinesMatchLabelsAndExpressions()
    {
        var s = LabelSelector.FromObject((JsonObject)JsonNode.Parse("""
            {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["front","mid"]},{"key":"legacy","operator":"DoesNotExist"}]}
            """)!);
        Assert.True(s.Matches(Web));
        Assert.False(s.Matches(Db));
        Assert.False(s.Matches(new Dictionary<string, string>(Web) { ["legacy"] = "yes" }));
        Assert.Equal("app=web,tier in (front,mid),!legacy", s.ToString());
    }

    [Fact]
    public void FieldSelectorMatchesEqualityAndInequality()
    {
        var s = FieldSelector.Parse("metadata.name=web,metadata.namespace!=kube-system");
        Assert.True(s.Matches(f => f == "metadata.name" ? "web" : "default"));
        Assert.False(s.Matches(f => f == "metadata.name" ? "web" : "kube-system"));
        Assert.Equal("web", s.RequiredValue("metadata.name"));
        Assert.Throws<FormatException>(() => FieldSelector.Parse("metadata.name"));
    }
}
