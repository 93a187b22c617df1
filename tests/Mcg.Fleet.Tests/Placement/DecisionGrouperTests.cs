using Mcg.Fleet.Placement;
using static Mcg.Fleet.Tests.Placement.TestClusters;

namespace Mcg.Fleet.Tests.Placement;

public class DecisionGrouperTests
{
    private static IReadOnlyList<ManagedClusterInfo> Many(int n) =>
        Enumerable.Range(0, n).Select(i => Cluster($"c{i:000}", new Dictionary<string, string> { ["canary"] = i < 3 ? "true" : "false" })).ToList();

    [Fact]
    public void NothingSelectedGivesOneEmptyDecision()
    {
        var groups = DecisionGrouper.Plan("p", GroupStrategy.None, []);
        var group = Assert.Single(groups);
        Assert.Equal(0, group.Index);
        Assert.Equal("", group.Name);
        var decision = Assert.Single(group.Decisions);
        Assert.Equal("p-decision-1", decision.Name);
        Assert.Empty(decision.Clusters);
    }

    [Fact]
    public void DecisionsHoldAtMostOneHundredClustersSortedByName()
    {
        var groups = DecisionGrouper.Plan("p", GroupStrategy.None, Many(250).Reverse().ToList());
        var group = Assert.Single(groups);
        Assert.Equal(250, group.Clusters.Count);
        Assert.Equal(["p-decision-1", "p-decision-2", "p-decision-3"], group.Decisions.Select(d => d.Name));
        Assert.Equal([100, 100, 50], group.Decisions.Select(d => d.Clusters.Count));
        Assert.Equal("c000", group.Decisions[0].Clusters[0]);
        Assert.Equal("c249", group.Decisions[2].Clusters[^1]);
    }

    [Fact]
    public void PredefinedGroupsComeFirstAndGroupsAreCutByClustersPerDecisionGroup()
    {
        var spec = Spec("""
            {"decisionStrategy":{"groupStrategy":{"clustersPerDecisionGroup":"50%","decisionGroups":[
              {"groupName":"canary","groupClusterSelector":{"labelSelector":{"matchLabels":{"canary":"true"}}}}]}}}
            """);
        var groups = DecisionGrouper.Plan("p", spec.GroupStrategy, Many(6));
        Assert.Equal(["canary", ""], groups.Select(g => g.Name));
        Assert.Equal(["c000", "c001", "c002"], groups[0].Clusters);
        Assert.Equal(["c003", "c004", "c005"], groups[1].Clusters);

        var pairs = DecisionGrouper.Plan("p", spec.GroupStrategy with { ClustersPerDecisionGroup = "2" }, Many(6));
        Assert.Equal(["canary", "canary", "", ""], pairs.Select(g => g.Name));
        Assert.Equal([0, 1, 2, 3], pairs.Select(g => g.Index));
        Assert.Equal([2, 1, 2, 1], pairs.Select(g => g.Clusters.Count));
        Assert.Equal(["p-decision-1", "p-decision-2", "p-decision-3", "p-decision-4"], pairs.SelectMany(g => g.Decisions).Select(d => d.Name));
        Assert.Equal(3, pairs[3].Decisions.Single().GroupIndex);
    }

    [Theory]
    [InlineData(null, 10, 10)]
    [InlineData("3", 10, 3)]
    [InlineData("25%", 10, 3)]
    [InlineData("100%", 10, 10)]
    [InlineData("0", 10, 10)]
    [InlineData("20", 10, 10)]
    public void GroupLength(string? perGroup, int total, int expected) =>
        Assert.Equal(expected, new GroupStrategy([], perGroup).GroupLength(total));

    [Fact]
    public void InvalidClustersPerDecisionGroupIsAMisconfiguration()
    {
        var e = Assert.Throws<PlacementMisconfiguredException>(() => new GroupStrategy([], "half").GroupLength(4));
        Assert.Equal("half invalid type: string is not a percentage", e.Message);
    }
}
