using Mcg.Fleet.Placement;
using static Mcg.Fleet.Tests.Placement.TestClusters;

namespace Mcg.Fleet.Tests.Placement;

public class TaintTolerationTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ManagedClusterInfo Tainted(string effect, string key = "k", string value = "v") =>
        Cluster("c", taints: [new ClusterTaint(key, value, effect, Now.AddMinutes(-5))]);

    [Theory]
    [InlineData(TaintEffects.NoSelect, false, false)]
    [InlineData(TaintEffects.NoSelect, true, false)]
    [InlineData(TaintEffects.NoSelectIfNew, false, false)]
    [InlineData(TaintEffects.NoSelectIfNew, true, true)]
    [InlineData(TaintEffects.PreferNoSelect, false, true)]
    public void EffectsWithoutTolerations(string effect, bool inDecision, bool tolerated) =>
        Assert.Equal(tolerated, TaintToleration.Check(Tainted(effect), [], inDecision, Now).Tolerated);

    [Theory]
    [InlineData("k", "Equal", "v", "", true)]
    [InlineData("k", "", "v", "", true)]
    [InlineData("k", "Equal", "w", "", false)]
    [InlineData("k", "Exists", "", "", true)]
    [InlineData("", "Exists", "", "", true)]
    [InlineData("k", "Exists", "", TaintEffects.NoSelect, true)]
    [InlineData("k", "Exists", "", TaintEffects.NoSelectIfNew, false)]
    [InlineData("other", "Exists", "", "", false)]
    public void TolerationMatching(string key, string op, string value, string effect, bool tolerated) =>
        Assert.Equal(tolerated, TaintToleration.Check(Tainted(TaintEffects.NoSelect), [new Toleration(key, op, value, effect, null)], false, Now).Tolerated);

    [Fact]
    public void TolerationSecondsCountFromTimeAdded()
    {
        var tolerations = new[] { new Toleration("k", "Exists", "", "", 600) };
        var (tolerated, until) = TaintToleration.Check(Tainted(TaintEffects.NoSelect), tolerations, false, Now);
        Assert.True(tolerated);
        Assert.Equal(Now.AddMinutes(5), until);
        Assert.False(TaintToleration.Check(Tainted(TaintEffects.NoSelect), [new Toleration("k", "Exists", "", "", 60)], false, Now).Tolerated);
    }

    [Fact]
    public void EveryTaintMustBeTolerated()
    {
        var cluster = Cluster("c", taints:
        [
            new ClusterTaint(OcmLabels.UnreachableTaint, "", TaintEffects.NoSelect, Now),
            new ClusterTaint(OcmLabels.UnavailableTaint, "", TaintEffects.NoSelect, Now),
        ]);
        Assert.False(TaintToleration.Check(cluster, [new Toleration(OcmLabels.UnreachableTaint, "Exists", "", "", null)], true, Now).Tolerated);
        Assert.True(TaintToleration.Check(cluster, [new Toleration("", "Exists", "", "", null)], true, Now).Tolerated);
    }

    [Fact]
    public void InvalidTolerationsAreMisconfigurations()
    {
        var e = Assert.Throws<PlacementMisconfiguredException>(() => Spec("""{"tolerations":[{"operator":"Equal","value":"x"}]}"""));
        Assert.Equal(TaintToleration.PluginName, e.Plugin);
        Assert.Equal("If the key is empty, operator must be Exists.", e.Message);
        Assert.Throws<PlacementMisconfiguredException>(() => Spec("""{"tolerations":[{"key":"k","operator":"Exists","value":"x"}]}"""));
    }
}
