using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Cli.Commands;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Policy;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using static Mcg.Fleet.Tests.Policy.Json;
using static Mcg.Fleet.Tests.Policy.PolicyObjects;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>The propagator and the agents against real hub and managed API servers.</summary>
public class PolicyEndToEndTests(PolicyFixture fx) : IClassFixture<PolicyFixture>
{
    private const string Ns = PolicyFixture.RootNamespace;
    private const string Cluster1 = PolicyFixture.Cluster1;
    private const string LocalCluster = PolicyFixture.LocalCluster;

    private IKubeClient Hub => fx.Hub;
    private IKubeClient Managed => fx.Managed;

    [Fact]
    public async Task MustHaveEnforce_CreatesTheNamespaceAndReportsCompliant()
    {
        // Upstream YAML, applied with kubectl: the policy's enforce overrides the template's inform.
        await new Kubectl(fx.HubServer.KubeconfigPath).RunAsync($"apply -n {Ns} -f -", """
            apiVersion: policy.open-cluster-management.io/v1
            kind: Policy
            metadata:
              name: policy-namespace
              annotations:
                policy.open-cluster-management.io/standards: NIST SP 800-53
            spec:
              remediationAction: enforce
              disabled: false
              policy-templates:
                - objectDefinition:
                    apiVersion: policy.open-cluster-management.io/v1
                    kind: ConfigurationPolicy
                    metadata:
                      name: policy-namespace-prod
                    spec:
                      remediationAction: inform
                      severity: low
                      object-templates:
                        - complianceType: musthave
                          objectDefinition:
                            kind: Namespace
                            apiVersion: v1
                            metadata:
                              name: prod-enforced
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: PlacementBinding
            metadata:
              name: binding-policy-namespace
            placementRef:
              name: placement-enforce
              kind: Placement
              apiGroup: cluster.open-cluster-management.io
            subjects:
              - name: policy-namespace
                kind: Policy
                apiGroup: policy.open-cluster-management.io
            """).ContinueWith(t => t.Result.Ok());
        await DecideAsync(Hub, "placement-enforce", Cluster1);

        var found = "Compliant; notification - namespaces [prod-enforced] found as specified, therefore this Object template is compliant";
        var replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-namespace"), r => History(r).FirstOrDefault() == found,
            "the replica reports the namespace found as specified", fx.Log);

        Assert.NotNull(await Managed.GetAsync(ResourceRef.Namespaces, null, "prod-enforced"));
        Assert.Equal("Compliant", Compliant(replica));
        Assert.Equal("Compliant", replica!["status"]!["details"]![0]!["compliant"]!.GetValue<string>());
        Assert.Equal("policy-namespace-prod", replica["status"]!["details"]![0]!["templateMeta"]!["name"]!.GetValue<string>());
        var history = History(replica);
        Assert.Equal(found, history[0]);
        Assert.Contains("Compliant; notification - namespaces [prod-enforced] was created successfully", history);
        Assert.Equal("NonCompliant; violation - namespaces [prod-enforced] not found", history[^1]);
        Assert.True(history.IndexOf("Compliant; notification - namespaces [prod-enforced] was created successfully") < history.Count - 1);

        // The replica: labels, name, the root's remediation action in the template.
        Assert.Equal($"{Ns}.policy-namespace", replica.Labels()[PolicyLabels.RootPolicy]);
        Assert.Equal(Cluster1, replica.Labels()[PolicyLabels.ClusterName]);
        Assert.Equal(Cluster1, replica.Labels()[PolicyLabels.ClusterNamespace]);
        Assert.Equal("NIST SP 800-53", replica.Annotations()["policy.open-cluster-management.io/standards"]);
        Assert.Equal("enforce", replica["spec"]!["policy-templates"]![0]!["objectDefinition"]!["spec"]!["remediationAction"]!.GetValue<string>());

        // Each history entry is an event on the replicated policy.
        var eventName = replica["status"]!["details"]![0]!["history"]![0]!["eventName"]!.GetValue<string>();
        var ev = await Hub.GetAsync(ResourceRef.Events, Cluster1, eventName);
        Assert.NotNull(ev);
        Assert.Equal($"policy: {Cluster1}/policy-namespace-prod", ev!["reason"]!.GetValue<string>());
        Assert.Equal(found, ev["message"]!.GetValue<string>());
        Assert.Equal(replica.Uid(), ev["involvedObject"]!["uid"]!.GetValue<string>());

        // The root aggregates the replica.
        var root = await Wait.ForAsync(() => Root("policy-namespace"), r => Compliant(r) == "Compliant", "the root policy is Compliant", fx.Log);
        Assert.Equal("[{\"clustername\":\"cluster1\",\"clusternamespace\":\"cluster1\",\"compliant\":\"Compliant\"}]", root!["status"]!["status"]!.ToJsonString());
        Assert.Equal("[{\"placementBinding\":\"binding-policy-namespace\",\"placement\":\"placement-enforce\"}]", root["status"]!["placement"]!.ToJsonString());

        // The template as a ConfigurationPolicy on the managed cluster, in the cluster's namespace.
        var configurationPolicy = await Wait.ForAsync(() => Managed.GetAsync(OcmCrds.ConfigurationPolicies, Cluster1, "policy-namespace-prod"),
            c => Compliant(c) == "Compliant", "the ConfigurationPolicy on the managed cluster is Compliant", fx.Log);
        Assert.Equal("enforce", configurationPolicy!["spec"]!["remediationAction"]!.GetValue<string>());
        Assert.Equal("namespaces [prod-enforced] found as specified, therefore this Object template is compliant",
            configurationPolicy["status"]!["compliancyDetails"]![0]!["conditions"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Inform_ReportsNonCompliantAndChangesNothing()
    {
        await Managed.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("settings", "default", Obj("{'mode':'lax'}")));
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-inform", null,
            ConfigurationPolicy("inform-settings", "inform", "musthave", ConfigMap("settings", "default", Obj("{'mode':'strict'}"))),
            ConfigurationPolicy("inform-namespace", "Inform", "musthave", Namespace("never-created"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-inform", "Placement", "placement-inform", "policy-inform"));
        await DecideAsync(Hub, "placement-inform", Cluster1);

        var replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-inform"), r => Compliant(r) == "NonCompliant" && History(r, 1).Count > 0,
            "the replica is NonCompliant", fx.Log);
        Assert.Equal(["NonCompliant; violation - configmaps [settings] found but not as specified in namespace default"], History(replica, 0));
        Assert.Equal(["NonCompliant; violation - namespaces [never-created] not found"], History(replica, 1));
        await Wait.ForAsync(() => Root("policy-inform"), r => Compliant(r) == "NonCompliant", "the root policy is NonCompliant", fx.Log);

        // Several evaluations later nothing changed and no new history was written.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal("lax", (await Managed.GetAsync(ResourceRef.ConfigMaps, "default", "settings"))!["data"]!["mode"]!.GetValue<string>());
        Assert.Null(await Managed.GetAsync(ResourceRef.Namespaces, null, "never-created"));
        replica = await Replica(Cluster1, "policy-inform");
        Assert.Single(History(replica, 0));
        Assert.Single(History(replica, 1));

        // Fixing the object by hand is noticed (the agent watches ConfigMaps).
        var live = (await Managed.GetAsync(ResourceRef.ConfigMaps, "default", "settings"))!;
        live["data"]!["mode"] = "strict";
        await Managed.UpdateAsync(ResourceRef.ConfigMaps, live);
        await Wait.ForAsync(() => Replica(Cluster1, "policy-inform"), r => History(r, 0).FirstOrDefault()
            == "Compliant; notification - configmaps [settings] found as specified in namespace default, therefore this Object template is compliant",
            "the fixed ConfigMap is reported as found as specified", fx.Log);
    }

    [Fact]
    public async Task MustNotHaveEnforce_DeletesTheObject()
    {
        await Managed.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("doomed", "default", Obj("{'x':'1'}")));
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-mustnothave", null,
            ConfigurationPolicy("no-doomed", "enforce", "mustnothave", ConfigMap("doomed", "default", Obj("{}")))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-mustnothave", "Placement", "placement-mustnothave", "policy-mustnothave"));
        await DecideAsync(Hub, "placement-mustnothave", Cluster1);

        var replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-mustnothave"), r => History(r).FirstOrDefault()
            == "Compliant; notification - configmaps [doomed] missing as expected in namespace default, therefore this Object template is compliant",
            "the ConfigMap is reported missing as expected", fx.Log);
        Assert.Null(await Managed.GetAsync(ResourceRef.ConfigMaps, "default", "doomed"));
        Assert.Contains("Compliant; notification - configmaps [doomed] was deleted successfully in namespace default", History(replica));
        Assert.Equal("Compliant", Compliant(replica));
    }

    [Fact]
    public async Task MustOnlyHave_DetectsExtraFieldsAndEnforcingRemovesThem()
    {
        await Managed.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("exact", "default", Obj("{'a':'1','b':'2'}")));
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-exact", null,
            ConfigurationPolicy("exact-musthave", "inform", "musthave", ConfigMap("exact", "default", Obj("{'a':'1'}"))),
            ConfigurationPolicy("exact-mustonlyhave", "inform", "mustonlyhave", ConfigMap("exact", "default", Obj("{'a':'1'}")))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-exact", "Placement", "placement-exact", "policy-exact"));
        await DecideAsync(Hub, "placement-exact", Cluster1);

        var replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-exact"), r => History(r, 0).Count > 0 && History(r, 1).Count > 0,
            "both templates are reported", fx.Log);
        Assert.Equal("Compliant; notification - configmaps [exact] found as specified in namespace default, therefore this Object template is compliant",
            History(replica, 0)[0]);
        Assert.Equal("NonCompliant; violation - configmaps [exact] found but not as specified in namespace default", History(replica, 1)[0]);
        Assert.Equal("NonCompliant", Compliant(replica));
        Assert.Equal("2", (await Managed.GetAsync(ResourceRef.ConfigMaps, "default", "exact"))!["data"]!["b"]!.GetValue<string>());

        // Enforcing from the root policy replaces the data.
        await Hub.PatchAsync(OcmCrds.Policies, Ns, "policy-exact", PatchType.Merge, Obj("{'spec':{'remediationAction':'enforce'}}"));
        replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-exact"), r => Compliant(r) == "Compliant", "the replica becomes Compliant", fx.Log);
        Assert.Contains("Compliant; notification - configmaps [exact] was updated successfully in namespace default", History(replica, 1));
        Assert.Equal("{\"a\":\"1\"}", (await Managed.GetAsync(ResourceRef.ConfigMaps, "default", "exact"))!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task NamespaceSelector_ChecksEverySelectedNamespace()
    {
        foreach (var ns in new[] { "sel-a", "sel-b", "sel-excluded" })
        {
            await Managed.CreateAsync(ResourceRef.Namespaces, Namespace(ns));
        }
        await Managed.CreateAsync(ResourceRef.ConfigMaps, ConfigMap("marker", "sel-a", Obj("{'k':'v'}")));
        var template = ConfigMap("marker", "unused", Obj("{'k':'v'}"));
        template.Metadata().Remove("namespace");
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-selector", null,
            ConfigurationPolicy("selector-marker", "inform", "musthave", template, Obj("{'include':['sel-*'],'exclude':['*-excluded']}"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-selector", "Placement", "placement-selector", "policy-selector"));
        await DecideAsync(Hub, "placement-selector", Cluster1);

        await Wait.ForAsync(() => Replica(Cluster1, "policy-selector"),
            r => History(r).FirstOrDefault() == "NonCompliant; violation - configmaps [marker] not found in namespace sel-b",
            "the ConfigMap is reported missing in sel-b only", fx.Log);

        // A namespace that starts to match is checked too (namespaces are watched).
        await Managed.CreateAsync(ResourceRef.Namespaces, Namespace("sel-c"));
        await Wait.ForAsync(() => Replica(Cluster1, "policy-selector"),
            r => History(r).FirstOrDefault() == "NonCompliant; violation - configmaps [marker] not found in namespaces: sel-b, sel-c",
            "the new namespace is checked", fx.Log);

        await Hub.PatchAsync(OcmCrds.Policies, Ns, "policy-selector", PatchType.Merge, Obj("{'spec':{'remediationAction':'enforce'}}"));
        var replica = await Wait.ForAsync(() => Replica(Cluster1, "policy-selector"), r => History(r).FirstOrDefault()
            == "Compliant; notification - configmaps [marker] found as specified in namespaces: sel-a, sel-b, sel-c, therefore this Object template is compliant",
            "the ConfigMap is found in every selected namespace", fx.Log);
        Assert.Contains("Compliant; notification - configmaps [marker] found as specified in namespace sel-a, therefore this Object template is compliant; "
            + "configmaps [marker] was created successfully in namespaces: sel-b, sel-c", History(replica));
        Assert.Null(await Managed.GetAsync(ResourceRef.ConfigMaps, "sel-excluded", "marker"));
    }

    [Fact]
    public async Task RootStatus_AggregatesTwoClusters()
    {
        await Managed.CreateAsync(ResourceRef.Namespaces, Namespace("only-on-managed"));
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-aggregate", null,
            ConfigurationPolicy("aggregate-namespace", "inform", "musthave", Namespace("only-on-managed"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-aggregate", "Placement", "placement-aggregate", "policy-aggregate"));
        await DecideAsync(Hub, "placement-aggregate", Cluster1, LocalCluster);

        var expected = "[{\"clustername\":\"cluster1\",\"clusternamespace\":\"cluster1\",\"compliant\":\"Compliant\"},"
            + "{\"clustername\":\"local-cluster\",\"clusternamespace\":\"local-cluster\",\"compliant\":\"NonCompliant\"}]";
        var root = await Wait.ForAsync(() => Root("policy-aggregate"), r => r?["status"]?["status"]?.ToJsonString() == expected,
            "the root lists cluster1 Compliant and local-cluster NonCompliant", fx.Log);
        Assert.Equal("NonCompliant", Compliant(root));

        await Hub.CreateAsync(ResourceRef.Namespaces, Namespace("only-on-managed"));
        root = await Wait.ForAsync(() => Root("policy-aggregate"), r => Compliant(r) == "Compliant", "the root becomes Compliant", fx.Log);
        Assert.Equal(expected.Replace("NonCompliant", "Compliant"), root!["status"]!["status"]!.ToJsonString());
    }

    [Fact]
    public async Task AClusterWithoutANamespaceOnTheHub_IsNonCompliant()
    {
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-ghost", null,
            ConfigurationPolicy("ghost-default", "inform", "musthave", Namespace("default"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-ghost", "Placement", "placement-ghost", "policy-ghost"));
        await DecideAsync(Hub, "placement-ghost", Cluster1, "ghost-cluster");

        var root = await Wait.ForAsync(() => Root("policy-ghost"),
            r => r?["status"]?["status"]?.ToJsonString() == "[{\"clustername\":\"cluster1\",\"clusternamespace\":\"cluster1\",\"compliant\":\"Compliant\"},"
                + "{\"clustername\":\"ghost-cluster\",\"clusternamespace\":\"ghost-cluster\",\"compliant\":\"NonCompliant\"}]",
            "the cluster the policy cannot be replicated to is NonCompliant", fx.Log);
        Assert.Equal("NonCompliant", Compliant(root));
        var warnings = (await Hub.ListAsync(ResourceRef.Events, Ns)).Items
            .Where(e => e["involvedObject"]?["name"]?.GetValue<string>() == "policy-ghost" && e["type"]?.GetValue<string>() == "Warning")
            .ToList();
        Assert.Single(warnings);
        Assert.StartsWith("Failed to replicate the policy policies/policy-ghost to cluster ghost-cluster/ghost-cluster", warnings[0]["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task RemovingAClusterFromTheDecision_RemovesItsReplica()
    {
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-moving", null,
            ConfigurationPolicy("moving-default", "inform", "musthave", Namespace("default"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-moving", "Placement", "placement-moving", "policy-moving"));
        await DecideAsync(Hub, "placement-moving", Cluster1, LocalCluster);
        await Wait.ForAsync(() => Replica(LocalCluster, "policy-moving"), r => Compliant(r) == "Compliant", "the local-cluster replica is Compliant", fx.Log);
        await Wait.ForAsync(() => Replica(Cluster1, "policy-moving"), r => Compliant(r) == "Compliant", "the cluster1 replica is Compliant", fx.Log);

        await DecideAsync(Hub, "placement-moving", Cluster1);
        await Wait.ForAsync(() => Replica(LocalCluster, "policy-moving"), r => r is null, "the local-cluster replica is deleted", fx.Log);
        var root = await Wait.ForAsync(() => Root("policy-moving"), r => r?["status"]?["status"]?.AsArray().Count == 1,
            "the root lists one cluster", fx.Log);
        Assert.Equal(Cluster1, root!["status"]!["status"]![0]!["clustername"]!.GetValue<string>());
        Assert.NotNull(await Replica(Cluster1, "policy-moving"));

        // The replica's ConfigurationPolicy on the cluster that lost it is cleaned up too.
        await Wait.ForAsync(() => Hub.GetAsync(OcmCrds.ConfigurationPolicies, LocalCluster, "moving-default"), c => c is null,
            "local-cluster's ConfigurationPolicy is deleted", fx.Log);
    }

    [Fact]
    public async Task PlacementRuleBinding_ReplicatesToItsDecisions()
    {
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-rule", null,
            ConfigurationPolicy("rule-default", "inform", "musthave", Namespace("default"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-rule", "PlacementRule", "placement-rule", "policy-rule"));
        await Hub.CreateAsync(OcmCrds.PlacementRules, Obj("""
            {'apiVersion':'apps.open-cluster-management.io/v1','kind':'PlacementRule','metadata':{'name':'placement-rule','namespace':'policies'},
             'spec':{'clusterSelector':{'matchLabels':{'env':'dev'}}}}
            """));
        await Hub.PatchAsync(OcmCrds.PlacementRules, Ns, "placement-rule", PatchType.Merge,
            Obj("{'status':{'decisions':[{'clusterName':'local-cluster','clusterNamespace':'local-cluster'}]}}"), new PatchOptions { Subresource = "status" });

        await Wait.ForAsync(() => Replica(LocalCluster, "policy-rule"), r => Compliant(r) == "Compliant", "the replica is Compliant", fx.Log);
        var root = await Wait.ForAsync(() => Root("policy-rule"), r => Compliant(r) == "Compliant", "the root policy is Compliant", fx.Log);
        Assert.Equal("[{\"placementBinding\":\"binding-rule\",\"placementRule\":\"placement-rule\"}]", root!["status"]!["placement"]!.ToJsonString());
        Assert.Null(await Replica(Cluster1, "policy-rule"));
    }

    [Fact]
    public async Task DisabledPolicy_RemovesItsReplicas()
    {
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-disabled", null,
            ConfigurationPolicy("disabled-default", "inform", "musthave", Namespace("default"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-disabled", "Placement", "placement-disabled", "policy-disabled"));
        await DecideAsync(Hub, "placement-disabled", Cluster1, LocalCluster);
        await Wait.ForAsync(() => Root("policy-disabled"), r => Compliant(r) == "Compliant" && r!["status"]!["status"]!.AsArray().Count == 2,
            "the root policy is Compliant on both clusters", fx.Log);

        await Hub.PatchAsync(OcmCrds.Policies, Ns, "policy-disabled", PatchType.Merge, Obj("{'spec':{'disabled':true}}"));
        await Wait.ForAsync(() => Replica(Cluster1, "policy-disabled"), r => r is null, "the cluster1 replica is deleted", fx.Log);
        await Wait.ForAsync(() => Replica(LocalCluster, "policy-disabled"), r => r is null, "the local-cluster replica is deleted", fx.Log);
        var root = await Wait.ForAsync(() => Root("policy-disabled"), r => r?["status"]?["status"] is null && Compliant(r) is null,
            "the root has no cluster status", fx.Log);
        Assert.NotNull(root!["status"]!["placement"]);

        await Hub.PatchAsync(OcmCrds.Policies, Ns, "policy-disabled", PatchType.Merge, Obj("{'spec':{'disabled':false}}"));
        await Wait.ForAsync(() => Replica(Cluster1, "policy-disabled"), r => r is not null, "the replica is back", fx.Log);

        await Hub.DeleteAsync(OcmCrds.Policies, Ns, "policy-disabled");
        await Wait.ForAsync(() => Replica(Cluster1, "policy-disabled"), r => r is null, "the replica of the deleted root is deleted", fx.Log);
        await Wait.ForAsync(() => Replica(LocalCluster, "policy-disabled"), r => r is null, "the other replica of the deleted root is deleted", fx.Log);
    }

    [Fact]
    public async Task Cli_ListsPoliciesAndShowsStatus()
    {
        await Hub.CreateAsync(OcmCrds.Policies, RootPolicy("policy-cli", "inform",
            ConfigurationPolicy("cli-default", "inform", "musthave", Namespace("default"))));
        await Hub.CreateAsync(OcmCrds.PlacementBindings, Binding("binding-cli", "Placement", "placement-cli", "policy-cli"));
        await DecideAsync(Hub, "placement-cli", Cluster1);
        await Wait.ForAsync(() => Root("policy-cli"), r => Compliant(r) == "Compliant", "the root policy is Compliant", fx.Log);

        var list = new StringWriter();
        Assert.Equal(0, await PolicyCommands.ListAsync(Hub, null, "table", list, DateTimeOffset.UtcNow, default));
        var lines = list.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAMESPACE\s+NAME\s+REMEDIATION ACTION\s+COMPLIANCE STATE\s+AGE$", lines[0]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^policies\s+policy-cli\s+inform\s+Compliant\s+\d+s$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^cluster1\s+policies\.policy-cli\s+inform\s+Compliant\s+\d+s$"));

        var status = new StringWriter();
        Assert.Equal(0, await PolicyCommands.StatusAsync(Hub, Ns, "policy-cli", "table", status, TextWriter.Null, default));
        var text = status.ToString();
        Assert.Contains("Compliance state:    Compliant", text);
        Assert.Matches(@"binding-cli\s+placement-cli", text);
        Assert.Matches(@"cluster1\s+Compliant\s+cli-default\s+Compliant\s+\S+Z\s+Compliant; notification - namespaces \[default\] found as specified", text);

        var missing = new StringWriter();
        Assert.Equal(1, await PolicyCommands.StatusAsync(Hub, Ns, "no-such-policy", "table", TextWriter.Null, missing, default));
        Assert.Contains("not found", missing.ToString());
    }

    private Task<JsonObject?> Replica(string cluster, string policy) => Hub.GetAsync(OcmCrds.Policies, cluster, $"{Ns}.{policy}");

    private Task<JsonObject?> Root(string policy) => Hub.GetAsync(OcmCrds.Policies, Ns, policy);

    private static string? Compliant(JsonObject? policy) => (policy?["status"] as JsonObject)?.GetString("compliant");

    private static List<string> History(JsonObject? policy, int template = 0) =>
        (policy?["status"]?["details"] as JsonArray) is { } details && details.Count > template
            ? (details[template]?["history"] as JsonArray)?.Select(h => h!["message"]!.GetValue<string>()).ToList() ?? []
            : [];
}
