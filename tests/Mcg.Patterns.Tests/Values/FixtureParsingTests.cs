using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Values;

/// <summary>The parsing suite over the real repositories of both format generations.</summary>
public class FixtureParsingTests
{
    [Fact]
    public void CurrentGenerationHub()
    {
        var v = PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub());
        Assert.Equal("multicloud-gitops", v.Global.Pattern);
        Assert.Equal("hub", v.ClusterGroup.Name);
        Assert.True(v.Global.SingleArgoCd);
        Assert.True(v.Global.MultiSourceEnabled);
        Assert.Equal("0.9.*", v.Global.ClusterGroupChartVersion);
        Assert.Equal("Automatic", v.Global.InstallPlanApproval);
        Assert.Equal(FormatGeneration.Current, v.ClusterGroup.Generation);
        Assert.Null(v.ClusterGroup.IsHubCluster);
        Assert.Equal(["open-cluster-management", "vault", "external-secrets-operator", "external-secrets", "config-demo", "hello-world"], v.ClusterGroup.Namespaces.Select(n => n.Name));
        var eso = v.ClusterGroup.Namespaces.Single(n => n.Name == "external-secrets-operator");
        Assert.True(eso.OperatorGroup);
        Assert.Empty(eso.TargetNamespaces!);
        Assert.Null(v.ClusterGroup.Namespaces.Single(n => n.Name == "vault").TargetNamespaces);
        Assert.Equal(["advanced-cluster-management", "openshift-external-secrets-operator"], v.ClusterGroup.Subscriptions.Select(s => s.Name));
        Assert.Equal("release-2.16", v.ClusterGroup.Subscriptions[0].Channel);
        Assert.Equal(["open-cluster-management"], v.ClusterGroup.Subscriptions[0].Namespaces);
        Assert.Equal(["hub", "config-demo", "hello-world"], v.ClusterGroup.Projects);
        Assert.Equal(["acm", "vault", "openshift-external-secrets", "config-demo", "hello-world"], v.ClusterGroup.Applications.Select(a => a.Name));
        var acm = v.ClusterGroup.Applications[0];
        Assert.Equal(("acm", "0.2.*", "hub"), (acm.Chart, acm.ChartVersion, acm.Project));
        Assert.True(acm.MultiSource);
        Assert.Equal("charts/all/hello-world", v.ClusterGroup.Applications[4].Path);
        var group = Assert.Single(v.ClusterGroup.ManagedClusterGroups);
        Assert.Equal(("exampleRegion", "group-one"), (group.Key, group.Name));
        Assert.Equal([KeyValuePair.Create("clusterGroup", "group-one")], group.AcmLabels);
        Assert.Equal(["/overrides/values-{{ $.Values.global.clusterPlatform }}.yaml", "/overrides/values-{{ $.Values.global.clusterVersion }}-{{ $.Values.clusterGroup.name }}.yaml"], v.ClusterGroup.SharedValueFiles);
        var job = Assert.Single(v.ClusterGroup.Imperative.Jobs);
        Assert.Equal(("hello-world", "rhvp.cluster_utils.hello_world", 234L), (job.Name, job.Playbook, job.Timeout));
    }

    [Theory]
    [InlineData("group-one", 4, 3)]
    [InlineData("standalone", 5, 4)]
    public void CurrentGenerationOtherGroups(string group, int namespaces, int applications)
    {
        var v = PatternValues.Read(Fixtures.MulticloudGitops, group, Fixtures.Spoke("spoke1"));
        Assert.Equal(group, v.ClusterGroup.Name);
        Assert.Equal(namespaces, v.ClusterGroup.Namespaces.Count);
        Assert.Equal(applications, v.ClusterGroup.Applications.Count);
        Assert.Empty(v.ClusterGroup.ManagedClusterGroups);
        Assert.Equal(FormatGeneration.Current, v.ClusterGroup.Generation);
    }

    [Fact]
    public void LegacyGenerationHub()
    {
        // values-AWS.yaml exists (only comments): layered for an AWS cluster, and harmless.
        var v = PatternValues.Read(Fixtures.Portworx, null, Fixtures.Hub("AWS"));
        Assert.Equal(FormatGeneration.Legacy, v.ClusterGroup.Generation);
        Assert.True(v.ClusterGroup.IsHubCluster);
        Assert.False(v.Global.SingleArgoCd);
        Assert.Equal(["open-cluster-management", "vault", "golang-external-secrets", "portworx", "portworx-demo"], v.ClusterGroup.Namespaces.Select(n => n.Name));
        Assert.All(v.ClusterGroup.Namespaces, n => Assert.False(n.HasOptions));
        Assert.Equal(["hub", "portworx", "portworx-demo"], v.ClusterGroup.Projects);
        var px = v.ClusterGroup.Subscriptions.Single(s => s.Name == "portworx-certified");
        Assert.Equal(("certified-operators", "stable", "portworx"), (px.Source, px.Channel, px.Namespaces[0]));
        var acm = v.ClusterGroup.Applications.Single(a => a.Name == "acm");
        Assert.Equal(("common/acm", "hub"), (acm.Path, acm.Project));
        Assert.False(acm.MultiSource);
        Assert.Equal("ManagedClusterInfo", acm.IgnoreDifferences![0]!["kind"]!.GetValue<string>());
        var group = Assert.Single(v.ClusterGroup.ManagedClusterGroups);
        Assert.Equal([new HelmOverride("clusterGroup.isHubCluster", "false", false)], group.HelmOverrides);
        Assert.Empty(v.ClusterGroup.Imperative.Jobs); // commented out
    }

    [Fact]
    public void LegacyGenerationGroupOneLayersItsGlobalSection()
    {
        var v = PatternValues.Read(Fixtures.Portworx, "group-one", Fixtures.Spoke("spoke1"));
        Assert.False(v.ClusterGroup.IsHubCluster);
        Assert.False(v.Global.UseCsv); // "useCSV: False" from values-group-one.yaml
        Assert.Equal(["golang-external-secrets", "portworx", "portworx-demo"], v.ClusterGroup.Namespaces.Select(n => n.Name));
        Assert.Equal(["eso", "portworx", "portworx-demo"], v.ClusterGroup.Projects);
        Assert.Equal("portworx", v.ClusterGroup.Applications.Single(a => a.Name == "portworx-demo").Project);
    }

    [Fact]
    public void ManagedGroupHelmOverridesAreLayeredOnTop()
    {
        var hub = PatternValues.Read(Fixtures.Portworx, null, Fixtures.Hub());
        var group = hub.ClusterGroup.ManagedClusterGroups[0];
        // values-group-one.yaml says isHubCluster: false already; the override (from values-hub.yaml) is typed as a bool.
        var v = PatternValues.Read(Fixtures.Portworx, "group-one", Fixtures.Hub(), [new HelmOverride("clusterGroup.isHubCluster", "true", false)]);
        Assert.True(v.ClusterGroup.IsHubCluster);
        var bad = Assert.Throws<ValuesException>(() => PatternValues.Read(Fixtures.Portworx, "group-one", Fixtures.Hub(),
            [new HelmOverride("clusterGroup.isHubCluster", "maybe", true)], "values-hub.yaml: " + group.Field + ".helmOverrides"));
        Assert.Equal("values-hub.yaml: clusterGroup.managedClusterGroups.exampleRegion.helmOverrides: clusterGroup.isHubCluster: must be true or false, not the string \"maybe\"", bad.Message);
    }

    [Fact]
    public void GlobalValuesAloneAreValidated()
    {
        var g = PatternValues.ReadGlobal(Fixtures.MulticloudGitops);
        Assert.Equal(("multicloud-gitops", "hub"), (g.Pattern, g.ClusterGroupName));
        var missing = Assert.Throws<ValuesException>(() => PatternValues.ReadGlobal(Fixtures.Repository(("README.md", "x"))));
        Assert.Equal("values-global.yaml: not found in the pattern repository", missing.Message);
    }
}
