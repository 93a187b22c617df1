using Mcg.Fleet.Policy;
using Mcg.Kube.Objects;
using static Mcg.Fleet.Tests.Policy.Json;

namespace Mcg.Fleet.Tests.Policy;

public class ReplicaBuilderTests
{
    private static readonly string Root = """
        {'apiVersion':'policy.open-cluster-management.io/v1','kind':'Policy',
         'metadata':{'name':'p1','namespace':'policies','uid':'u','resourceVersion':'3','labels':{'team':'a'},
                     'annotations':{'policy.open-cluster-management.io/standards':'NIST','policy.open-cluster-management.io/trigger-update':'1'}},
         'spec':{'remediationAction':'enforce','disabled':false,'policy-templates':[
            {'objectDefinition':{'apiVersion':'policy.open-cluster-management.io/v1','kind':'ConfigurationPolicy','metadata':{'name':'c'},
                                 'spec':{'remediationAction':'inform','object-templates':[]}}},
            {'objectDefinition':{'apiVersion':'constraints.gatekeeper.sh/v1beta1','kind':'K8sRequiredLabels','metadata':{'name':'g'},
                                 'spec':{'enforcementAction':'dryrun'}}}]},
         'status':{'compliant':'Compliant'}}
        """;

    [Fact]
    public void ReplicaIsNamedAfterTheRootAndLabelled()
    {
        var replica = ReplicaBuilder.Build(Obj(Root), new ClusterDecision("c1", "c1-ns"));
        Assert.Equal("policies.p1", replica.Name());
        Assert.Equal("c1-ns", replica.Namespace());
        Assert.Equal("policies.p1", replica.Labels()[PolicyLabels.RootPolicy]);
        Assert.Equal("c1", replica.Labels()[PolicyLabels.ClusterName]);
        Assert.Equal("c1-ns", replica.Labels()[PolicyLabels.ClusterNamespace]);
        Assert.Equal("a", replica.Labels()["team"]);
        Assert.Equal("NIST", replica.Annotations()["policy.open-cluster-management.io/standards"]);
        Assert.False(replica.Annotations().ContainsKey(PolicyLabels.TriggerUpdate));
        Assert.Null(replica["status"]);
        Assert.Null(replica.Metadata()["uid"]);
    }

    [Fact]
    public void RootRemediationActionOverridesPolicyTemplates()
    {
        var replica = ReplicaBuilder.Build(Obj(Root), new ClusterDecision("c1", "c1"));
        var templates = replica["spec"]!["policy-templates"]!.AsArray();
        Assert.Equal("enforce", templates[0]!["objectDefinition"]!["spec"]!["remediationAction"]!.GetValue<string>());
        Assert.Null(templates[1]!["objectDefinition"]!["spec"]!["remediationAction"]);
    }

    [Fact]
    public void EquivalenceIgnoresStatusAndServerFields()
    {
        var desired = ReplicaBuilder.Build(Obj(Root), new ClusterDecision("c1", "c1"));
        var live = (System.Text.Json.Nodes.JsonObject)desired.DeepClone();
        live.Metadata()["resourceVersion"] = "9";
        live["status"] = Obj("{'compliant':'NonCompliant'}");
        Assert.True(ReplicaBuilder.Equivalent(desired, live));
        live["spec"]!["disabled"] = true;
        Assert.False(ReplicaBuilder.Equivalent(desired, live));
        var updated = ReplicaBuilder.Updated(desired, live);
        Assert.Equal("9", updated.ResourceVersion());
        Assert.False(updated["spec"]!["disabled"]!.GetValue<bool>());
        Assert.Null(updated["status"]);
    }

    [Fact]
    public void ReplicaNamesParseBack()
    {
        Assert.True(PolicyLabels.TryParseReplicaName("policies.my.policy", out var ns, out var name));
        Assert.Equal(("policies", "my.policy"), (ns, name));
        Assert.False(PolicyLabels.TryParseReplicaName("nodot", out _, out _));
    }
}
