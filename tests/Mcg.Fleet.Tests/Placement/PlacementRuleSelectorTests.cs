using System.Text.Json.Nodes;
using Mcg.Fleet.Placement;
using static Mcg.Fleet.Tests.Placement.TestClusters;

namespace Mcg.Fleet.Tests.Placement;

public class PlacementRuleSelectorTests
{
    private static readonly ManagedClusterInfo[] Fleet =
    [
        Cluster("a", new Dictionary<string, string> { ["env"] = "prod" }),
        Cluster("b", new Dictionary<string, string> { ["env"] = "prod" }),
        Cluster("c", new Dictionary<string, string> { ["env"] = "prod" }, available: false),
        Cluster("d", new Dictionary<string, string> { ["env"] = "dev" }),
    ];

    private static IReadOnlyList<string> Select(string rule, IEnumerable<ManagedClusterInfo>? clusters = null) =>
        PlacementRuleSelector.Select((JsonObject)JsonNode.Parse(rule)!, clusters ?? Fleet);

    [Fact]
    public void SelectorAndDefaultAvailableCondition() =>
        Assert.Equal(["a", "b"], Select("""{"spec":{"clusterSelector":{"matchLabels":{"env":"prod"}}}}"""));

    [Fact]
    public void ExplicitConditions()
    {
        Assert.Equal(["c"], Select("""{"spec":{"clusterSelector":{"matchLabels":{"env":"prod"}},"clusterConditions":[{"type":"ManagedClusterConditionAvailable","status":"False"}]}}"""));
        Assert.Empty(Select("""{"spec":{"clusterConditions":[{"type":"HubAcceptedManagedCluster","status":"True"}]}}"""));
    }

    [Fact]
    public void ClusterReplicasKeepPreviousDecisionsFirst()
    {
        Assert.Equal(["a"], Select("""{"spec":{"clusterReplicas":1}}"""));
        Assert.Equal(["d", "a"], Select("""{"spec":{"clusterReplicas":2},"status":{"decisions":[{"clusterName":"d"},{"clusterName":"c"}]}}"""));
        Assert.Empty(Select("""{"spec":{"clusterReplicas":0}}"""));
    }

    [Fact]
    public void ExplicitClusterListIgnoresSelector() =>
        Assert.Equal(["d"], Select("""{"spec":{"clusters":[{"name":"d"},{"name":"zz"}],"clusterSelector":{"matchLabels":{"env":"prod"}}}}"""));

    [Fact]
    public void ResourceHintOrdersByAllocatable()
    {
        var sized = Fleet.Select((c, i) => c with { Allocatable = new Dictionary<string, double> { ["memory"] = (i + 1) * 1e9 } }).ToList();
        Assert.Equal(["d", "b"], Select("""{"spec":{"clusterReplicas":2,"resourceHint":{"type":"memory"}}}""", sized));
        Assert.Equal(["a"], Select("""{"spec":{"clusterReplicas":1,"resourceHint":{"type":"memory","order":"asc"}}}""", sized));
    }
}
