using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;
using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Generation;

/// <summary>Hive objects for clusterPools / clusterDeployments, checked against validatedpatterns/acm-chart tests/clusterpool_test.yaml and tests/clusterdeployment_test.yaml.</summary>
public class HiveGenerationTests
{
    private static GeneratedSet Generate(string groups)
    {
        var root = Fixtures.Repository(
            ("values-global.yaml", "global: {pattern: p}\nmain: {clusterGroupName: hub}\n"),
            ("values-hub.yaml", "clusterGroup:\n  name: hub\n  isHubCluster: true\n  managedClusterGroups:\n" + groups));
        return ClusterGroupGenerator.Hub(PatternValues.Read(root, null, Fixtures.Hub()), new GenerationContext("file:///r", "main", "argocd", Fixtures.Hub(), root));
    }

    private static JsonObject Find(GeneratedSet set, string kind, string name) => set.Objects.Single(o => o.Kind() == kind && o.Name() == name);

    [Fact]
    public void ClusterPoolAndClaims()
    {
        var set = Generate("""
                testRegion:
                  name: region-one
                  clusterPools:
                    testPool:
                      name: spoke
                      openshiftVersion: "4.14.10"
                      baseDomain: example.com
                      platform:
                        aws:
                          region: us-east-1
                      clusters:
                        - spoke1
                        - spoke2
            """);
        var pool = Find(set, "ClusterPool", "spoke-region-one");
        Assert.Equal((2L, 2L), (pool["spec"]!["size"]!.GetValue<long>(), pool["spec"]!["runningCount"]!.GetValue<long>()));
        Assert.Equal("us-east-1", pool["spec"]!["platform"]!["aws"]!["region"]!.GetValue<string>());
        Assert.Equal("spoke-region-one-creds", pool["spec"]!["platform"]!["aws"]!["credentialsSecretRef"]!["name"]!.GetValue<string>());
        Assert.Equal("img4.14.10-multi-appsub", pool["spec"]!["imageSetRef"]!["name"]!.GetValue<string>());
        Assert.Equal("spoke-region-one-pull-secret", pool["spec"]!["pullSecretRef"]!["name"]!.GetValue<string>());
        Assert.Equal("spoke-region-one-install-config", pool["spec"]!["installConfigSecretTemplateRef"]!["name"]!.GetValue<string>());
        Assert.True(pool["spec"]!["skipMachinePools"]!.GetValue<bool>());
        Assert.Equal(("aws", "region-one"), (pool.Labels()["cloud"], pool.Labels()[HiveGenerator.ClusterSetLabel]));
        Assert.Equal("10", pool.Annotations()["argocd.argoproj.io/sync-wave"]);
        var claim = Find(set, "ClusterClaim", "spoke1-region-one");
        Assert.Equal("spoke-region-one", claim["spec"]!["clusterPoolName"]!.GetValue<string>());
        Assert.Equal("region-one", claim.Labels()["clusterGroup"]);
        Assert.Equal("20", claim.Annotations()["argocd.argoproj.io/sync-wave"]);
        Find(set, "ClusterClaim", "spoke2-region-one");
        Find(set, "ManagedClusterSet", "region-one");
        Assert.Equal("region-one", Find(set, "ManagedClusterSetBinding", "region-one")["spec"]!["clusterSet"]!.GetValue<string>());
    }

    [Fact]
    public void ClusterDeploymentWithItsNamespaceAndManagedCluster()
    {
        var set = Generate("""
                testRegion:
                  name: region-one
                  acmlabels:
                    - {name: environment, value: production}
                  clusterDeployments:
                    myCluster:
                      name: cluster1
                      baseDomain: example.com
                      openshiftVersion: "4.14.10"
                      platform:
                        azure:
                          baseDomainResourceGroupName: dns-zones
                          region: eastus
            """);
        Find(set, "Namespace", "cluster1-region-one");
        var cd = Find(set, "ClusterDeployment", "cluster1-region-one");
        Assert.Equal("cluster1-region-one", cd.Namespace());
        Assert.Equal("cluster1-region-one", cd["spec"]!["clusterName"]!.GetValue<string>());
        Assert.Equal("cluster1-region-one-creds", cd["spec"]!["platform"]!["azure"]!["credentialsSecretRef"]!["name"]!.GetValue<string>());
        Assert.Equal("img4.14.10-multi-appsub", cd["spec"]!["provisioning"]!["imageSetRef"]!["name"]!.GetValue<string>());
        Assert.Equal("cluster1-region-one-install-config", cd["spec"]!["provisioning"]!["installConfigSecretRef"]!["name"]!.GetValue<string>());
        Assert.Equal("cluster1-region-one-ssh-private-key", cd["spec"]!["provisioning"]!["sshPrivateKeySecretRef"]!["name"]!.GetValue<string>());
        var mc = Find(set, "ManagedCluster", "cluster1-region-one");
        Assert.True(mc["spec"]!["hubAcceptsClient"]!.GetValue<bool>());
        Assert.Equal(("production", "region-one", "Azure"), (mc.Labels()["environment"], mc.Labels()[HiveGenerator.ClusterSetLabel], mc.Labels()["cloud"]));
        Assert.False(mc.Labels().ContainsKey("clusterGroup"));
    }

    [Fact]
    public void NoProvisioningNoHiveObjectsAndBadPlatformsAreErrors()
    {
        Assert.DoesNotContain(Generate("    g: {name: g}\n").Objects, o => o.ApiVersion()!.StartsWith("hive", StringComparison.Ordinal) || o.Kind() == "ManagedClusterSet");
        var e = Assert.Throws<ArgumentException>(() => Generate("    g:\n      name: g\n      clusterDeployments:\n        c: {name: c, platform: {}}\n"));
        Assert.Equal("clusterGroup.managedClusterGroups.g: c-g: platform must name exactly one platform (aws, azure, gcp, …) with its settings", e.Message);
    }
}
