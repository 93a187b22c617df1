using Mcg.Fleet.Placement;
using static Mcg.Fleet.Tests.Placement.TestClusters;

namespace Mcg.Fleet.Tests.Placement;

public class PlacementSchedulerTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ManagedClusterInfo[] Fleet =
    [
        Cluster("c1", new Dictionary<string, string> { ["group"] = "one" }, new Dictionary<string, string> { ["region"] = "eu" }),
        Cluster("c2", new Dictionary<string, string> { ["group"] = "one" }, new Dictionary<string, string> { ["region"] = "us" }),
        Cluster("c3", new Dictionary<string, string> { ["group"] = "two" }, new Dictionary<string, string> { ["region"] = "eu" }),
    ];

    [Fact]
    public void EmptySpecSelectsAllCandidatesByName()
    {
        var result = PlacementScheduler.Schedule(Spec("{}"), Fleet.Reverse(), None, NoCounts, Now);
        Assert.Equal(["c1", "c2", "c3"], Names(result.Selected));
        Assert.Equal(0, result.Unscheduled);
    }

    [Fact]
    public void LabelPredicateSelectsMatchingClusters()
    {
        var spec = Spec("""{"predicates":[{"requiredClusterSelector":{"labelSelector":{"matchLabels":{"group":"one"}}}}]}""");
        Assert.Equal(["c1", "c2"], Names(PlacementScheduler.Schedule(spec, Fleet, None, NoCounts, Now).Selected));
    }

    [Fact]
    public void ClaimPredicateMatchesClusterClaims()
    {
        var spec = Spec("""{"predicates":[{"requiredClusterSelector":{"claimSelector":{"matchExpressions":[{"key":"region","operator":"In","values":["eu"]}]}}}]}""");
        Assert.Equal(["c1", "c3"], Names(PlacementScheduler.Schedule(spec, Fleet, None, NoCounts, Now).Selected));
    }

    [Fact]
    public void LabelAndClaimInOnePredicateAreAndedAndPredicatesAreOred()
    {
        var spec = Spec("""
            {"predicates":[
              {"requiredClusterSelector":{"labelSelector":{"matchLabels":{"group":"one"}},
                                          "claimSelector":{"matchExpressions":[{"key":"region","operator":"In","values":["us"]}]}}},
              {"requiredClusterSelector":{"labelSelector":{"matchLabels":{"group":"two"}}}}]}
            """);
        Assert.Equal(["c2", "c3"], Names(PlacementScheduler.Schedule(spec, Fleet, None, NoCounts, Now).Selected));
    }

    [Fact]
    public void NumberOfClustersCutsDeterministicallyAndCountsUnscheduled()
    {
        var two = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":2}"""), Fleet, None, NoCounts, Now);
        Assert.Equal(["c1", "c2"], Names(two.Selected));
        Assert.Equal(0, two.Unscheduled);
        var five = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":5}"""), Fleet, None, NoCounts, Now);
        Assert.Equal(3, five.Selected.Count);
        Assert.Equal(2, five.Unscheduled);
    }

    [Fact]
    public void PreviouslySelectedClustersStaySelected()
    {
        var existing = new HashSet<string> { "c3", "c2" };
        var result = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":2}"""), [Cluster("a0"), .. Fleet], existing, NoCounts, Now);
        Assert.Equal(["c2", "c3"], Names(result.Selected).Order());
    }

    [Fact]
    public void PreviouslySelectedClustersStayEvenWhenBalanceWouldPreferAnother()
    {
        // c1 is heavily used by other placements (Balance -100): upstream's plain score sum would swap it for c3.
        var counts = new Dictionary<string, int> { ["c1"] = 5 };
        var result = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":1}"""), Fleet, new HashSet<string> { "c1" }, counts, Now);
        Assert.Equal(["c1"], Names(result.Selected));
    }

    [Fact]
    public void BalancePrefersLessUsedClustersForNewDecisions()
    {
        var counts = new Dictionary<string, int> { ["c1"] = 2, ["c2"] = 1 };
        var result = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":2}"""), Fleet, None, counts, Now);
        Assert.Equal(["c3", "c2"], Names(result.Selected));
        Assert.Equal(100, result.Scores["c3"]);
        Assert.Equal(-100, result.Scores["c1"]);
        Assert.Equal(0, result.Scores["c2"]);
    }

    [Fact]
    public void ExactModeWithoutSteadyLetsScoresReorder()
    {
        var spec = Spec("""{"numberOfClusters":1,"prioritizerPolicy":{"mode":"Exact","configurations":[{"scoreCoordinate":{"builtIn":"Balance"},"weight":1}]}}""");
        var result = PlacementScheduler.Schedule(spec, Fleet, new HashSet<string> { "c1" }, new Dictionary<string, int> { ["c1"] = 3 }, Now);
        Assert.Equal(["c2"], Names(result.Selected));
    }

    [Fact]
    public void AllocatableCpuPrioritizerPrefersLargerClusters()
    {
        ManagedClusterInfo Sized(string name, double cpu) => Cluster(name) with
        {
            Allocatable = new Dictionary<string, double> { ["cpu"] = cpu },
            Capacity = new Dictionary<string, double> { ["cpu"] = cpu },
        };
        var spec = Spec("""{"numberOfClusters":1,"prioritizerPolicy":{"configurations":[{"scoreCoordinate":{"builtIn":"ResourceAllocatableCPU"},"weight":2}]}}""");
        var result = PlacementScheduler.Schedule(spec, [Sized("small", 2), Sized("big", 16), Sized("mid", 8)], None, NoCounts, Now);
        Assert.Equal(["big"], Names(result.Selected));
    }

    [Fact]
    public void UntoleratedNoSelectTaintDropsACluster()
    {
        var tainted = Cluster("c2", taints: [new ClusterTaint(OcmLabels.UnreachableTaint, "", TaintEffects.NoSelect, Now.AddMinutes(-1))]);
        var result = PlacementScheduler.Schedule(Spec("""{"numberOfClusters":2}"""), [Fleet[0], tainted, Fleet[2]], new HashSet<string> { "c1", "c2" }, NoCounts, Now);
        Assert.Equal(["c1", "c3"], Names(result.Selected));
    }

    [Fact]
    public void ToleratedTaintKeepsClusterAndTolerationSecondsScheduleARevisit()
    {
        var tainted = Cluster("c2", taints: [new ClusterTaint(OcmLabels.UnreachableTaint, "", TaintEffects.NoSelect, Now.AddSeconds(-30))]);
        var spec = Spec($$"""{"tolerations":[{"key":"{{OcmLabels.UnreachableTaint}}","operator":"Exists","tolerationSeconds":60}]}""");
        var result = PlacementScheduler.Schedule(spec, [tainted], new HashSet<string> { "c2" }, NoCounts, Now);
        Assert.Equal(["c2"], Names(result.Selected));
        Assert.Equal(Now.AddSeconds(30), result.RescheduleAt);

        var later = PlacementScheduler.Schedule(spec, [tainted], new HashSet<string> { "c2" }, NoCounts, Now.AddSeconds(31));
        Assert.Empty(later.Selected);
    }
}
