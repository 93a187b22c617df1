using System.Text.Json.Nodes;
using Mcg.Fleet.Placement;

namespace Mcg.Fleet.Tests.Placement;

public class ClusterSetSelectorTests
{
    private static ClusterSetSelector Set(string json) => ClusterSetSelector.FromObject((JsonObject)JsonNode.Parse(json)!);

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) => labels.ToDictionary(l => l.Key, l => l.Value);

    [Fact]
    public void ExclusiveSetSelectsClustersLabelledWithItsName()
    {
        var set = Set("""{"metadata":{"name":"prod"},"spec":{"clusterSelector":{"selectorType":"ExclusiveClusterSetLabel"}}}""");
        Assert.True(set.Matches(Labels((OcmLabels.ClusterSet, "prod"))));
        Assert.False(set.Matches(Labels((OcmLabels.ClusterSet, "dev"))));
        Assert.False(set.Matches(Labels()));
    }

    [Fact]
    public void SelectorTypeDefaultsToExclusive() =>
        Assert.True(Set("""{"metadata":{"name":"prod"},"spec":{}}""").Matches(Labels((OcmLabels.ClusterSet, "prod"))));

    [Fact]
    public void LabelSelectorSets()
    {
        Assert.True(ClusterSetSelector.FromObject(DefaultClusterSets.Object("global")).Matches(Labels()));
        var set = Set("""{"metadata":{"name":"eu"},"spec":{"clusterSelector":{"selectorType":"LabelSelector","labelSelector":{"matchLabels":{"region":"eu"}}}}}""");
        Assert.True(set.Matches(Labels(("region", "eu"))));
        Assert.False(set.Matches(Labels(("region", "us"))));
        Assert.False(Set("""{"metadata":{"name":"x"},"spec":{"clusterSelector":{"selectorType":"LabelSelector"}}}""").Matches(Labels()));
    }

    [Fact]
    public void UnknownSelectorTypeSelectsNothingAndSaysWhy()
    {
        var set = Set("""{"metadata":{"name":"x"},"spec":{"clusterSelector":{"selectorType":"Magic"}}}""");
        Assert.False(set.Matches(Labels()));
        Assert.NotNull(set.Error);
    }

    [Fact]
    public void DefaultSetIsExclusive() =>
        Assert.True(ClusterSetSelector.FromObject(DefaultClusterSets.Object("default")).Matches(Labels((OcmLabels.ClusterSet, "default"))));
}
