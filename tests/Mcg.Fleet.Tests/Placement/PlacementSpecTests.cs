using System.Text.Json.Nodes;
using Mcg.Fleet.Placement;
using static Mcg.Fleet.Tests.Placement.TestClusters;

namespace Mcg.Fleet.Tests.Placement;

public class PlacementSpecTests
{
    [Fact]
    public void ParsesUpstreamFields()
    {
        var spec = Spec("""
            {"clusterSets":["a","b"],"numberOfClusters":3,
             "predicates":[{"requiredClusterSelector":{"labelSelector":{"matchLabels":{"x":"y"}}}}],
             "tolerations":[{"key":"k","operator":"Exists","effect":"NoSelect","tolerationSeconds":30}],
             "prioritizerPolicy":{"mode":"Additive","configurations":[{"scoreCoordinate":{"type":"BuiltIn","builtIn":"Steady"},"weight":3}]}}
            """);
        Assert.Equal(["a", "b"], spec.ClusterSets);
        Assert.Equal(3, spec.NumberOfClusters);
        Assert.Single(spec.Predicates);
        Assert.Equal(new Toleration("k", "Exists", "", "NoSelect", 30), Assert.Single(spec.Tolerations));
        Assert.Equal(new PrioritizerWeights(3, 1, 0, 0), spec.Weights);
    }

    [Theory]
    [InlineData("""{"prioritizerPolicy":{"mode":"Sometimes"}}""", "", "incorrect prioritizer policy mode: Sometimes")]
    [InlineData("""{"prioritizerPolicy":{"configurations":[{"scoreCoordinate":{"builtIn":"Magic"}}]}}""", "", "incorrect builtin prioritizer: Magic")]
    [InlineData("""{"prioritizerPolicy":{"configurations":[{"weight":2}]}}""", "", "scoreCoordinate field is required")]
    [InlineData("""{"predicates":[{"requiredClusterSelector":{"labelSelector":{"matchExpressions":[{"key":"a","operator":"Near"}]}}}]}""", "Predicate", null)]
    public void Misconfigurations(string spec, string plugin, string? message)
    {
        var e = Assert.Throws<PlacementMisconfiguredException>(() => Spec(spec));
        Assert.Equal(plugin, e.Plugin);
        if (message is not null)
        {
            Assert.Equal(message, e.Message);
        }
    }

    [Fact]
    public void ClusterSetsAreReadableFromAnInvalidSpec()
    {
        var placement = (JsonObject)JsonNode.Parse("""{"spec":{"clusterSets":["s"],"prioritizerPolicy":{"mode":"?"}}}""")!;
        Assert.Equal(["s"], PlacementSpec.ClusterSetsOf(placement));
    }

    [Fact]
    public void SatisfiedConditionFollowsUpstreamPrecedence()
    {
        Assert.Equal("NoManagedClusterSetBindings", PlacementConditions.SatisfiedCondition([], [], 0, 0, 0, 0).Reason);
        var noIntersection = PlacementConditions.SatisfiedCondition(["a", "b"], [], 1, 0, 0, 0);
        Assert.Equal(("NoIntersection", "None of ManagedClusterSets [a,b] is bound to placement namespace"), (noIntersection.Reason, noIntersection.Message));
        Assert.Equal("All ManagedClusterSets [s] have no member ManagedCluster", PlacementConditions.SatisfiedCondition([], ["s"], 1, 0, 0, 0).Message);
        Assert.Equal("NoManagedClusterMatched", PlacementConditions.SatisfiedCondition([], ["s"], 1, 2, 0, 0).Reason);
        Assert.Equal(new ConditionValue("True", "AllDecisionsScheduled", "All cluster decisions scheduled"),
            PlacementConditions.SatisfiedCondition([], ["s"], 1, 2, 2, 0));
        Assert.Equal(new ConditionValue("False", "NotAllDecisionsScheduled", "1 cluster decisions unscheduled"),
            PlacementConditions.SatisfiedCondition([], ["s"], 1, 2, 2, 1));
        Assert.Equal("TaintToleration:bad", PlacementConditions.MisconfiguredCondition(new PlacementMisconfiguredException("TaintToleration", "bad")).Message);
    }

    [Fact]
    public void SetConditionKeepsTransitionTimeWhileStatusHolds()
    {
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var conditions = new JsonArray();
        Assert.True(StatusConditions.Set(conditions, "Ready", "True", "A", "a", t0));
        Assert.False(StatusConditions.Set(conditions, "Ready", "True", "A", "a", t0.AddHours(1)));
        Assert.True(StatusConditions.Set(conditions, "Ready", "True", "B", "b", t0.AddHours(1)));
        Assert.Equal("2025-01-01T00:00:00Z", StatusConditions.Find(conditions, "Ready")!["lastTransitionTime"]!.GetValue<string>());
        Assert.True(StatusConditions.Set(conditions, "Ready", "False", "B", "b", t0.AddHours(2)));
        Assert.Equal("2025-01-01T02:00:00Z", StatusConditions.Find(conditions, "Ready")!["lastTransitionTime"]!.GetValue<string>());
    }

    [Fact]
    public void ParsedAndBuiltJsonCompareEqual()
    {
        // The reconcilers compare cached (parsed) status with freshly built status to skip no-op writes.
        var parsed = JsonNode.Parse("""{"n":2,"s":"x","a":[{"clusterName":"c","reason":""}]}""");
        var built = new JsonObject { ["n"] = 2, ["s"] = "x", ["a"] = new JsonArray(new JsonObject { ["clusterName"] = "c", ["reason"] = "" }) };
        Assert.True(JsonNode.DeepEquals(parsed, built));
    }
}
