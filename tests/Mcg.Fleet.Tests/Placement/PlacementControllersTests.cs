using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Placement;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Tests.Placement;

/// <summary>
/// The placement controllers against a real API server. Clusters are cluster-scoped and shared by the tests, so each
/// test labels its own clusters <c>test-run=&lt;id&gt;</c> and selects them through its own LabelSelector set.
/// </summary>
public class PlacementControllersTests(PlacementHubFixture hub) : IClassFixture<PlacementHubFixture>
{
    private sealed record Scenario(string Id, string Namespace, string Set)
    {
        public string C(int n) => $"{Id}-c{n}";

        public Dictionary<string, string> Labels(params (string Key, string Value)[] extra) =>
            new[] { ("test-run", Id) }.Concat(extra).ToDictionary(l => l.Item1, l => l.Item2);
    }

    private async Task<Scenario> ScenarioAsync(bool bind = true)
    {
        var id = "t" + Guid.NewGuid().ToString("N")[..8];
        var s = new Scenario(id, $"ns-{id}", $"set-{id}");
        await hub.CreateNamespaceAsync(s.Namespace);
        if (bind)
        {
            await hub.CreateBoundSetAsync(s.Namespace, s.Set, new Dictionary<string, string> { ["test-run"] = id });
        }
        return s;
    }

    [Fact]
    public async Task LabelSelectorPicksTheGroupOneClusters()
    {
        var s = await ScenarioAsync();
        await hub.CreateClusterAsync(s.C(1), s.Labels(("group", "one")));
        await hub.CreateClusterAsync(s.C(2), s.Labels(("group", "one")));
        await hub.CreateClusterAsync(s.C(3), s.Labels(("group", "two")));
        await hub.CreatePlacementAsync(s.Namespace, "p", """{"predicates":[{"requiredClusterSelector":{"labelSelector":{"matchLabels":{"group":"one"}}}}]}""");

        await hub.DecisionsBecomeAsync(s.Namespace, "p", s.C(1), s.C(2));

        var placement = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p");
        var decision = await hub.GetAsync(OcmCrds.PlacementDecisions, s.Namespace, "p-decision-1");
        Assert.Equal("p", decision.Labels()[OcmLabels.Placement]);
        Assert.Equal("0", decision.Labels()[OcmLabels.DecisionGroupIndex]);
        var owner = Assert.Single(decision["metadata"]!["ownerReferences"]!.AsArray())!.AsObject();
        Assert.Equal(("Placement", placement.Uid(), true), (owner.GetString("kind"), owner.GetString("uid"), owner["controller"]!.GetValue<bool>()));
        Assert.Equal("", decision["status"]!["decisions"]![0]!["reason"]!.GetValue<string>());

        await hub.EventuallyAsync(async () =>
        {
            var p = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p");
            return p["status"]?["numberOfSelectedClusters"]?.GetValue<int>() == 2
                && PlacementHubFixture.ConditionOf(p, PlacementConditions.Satisfied, "reason") == "AllDecisionsScheduled";
        }, "the placement reports 2 selected clusters");
        placement = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p");
        Assert.Equal("True", PlacementHubFixture.ConditionOf(placement, PlacementConditions.Satisfied));
        Assert.Equal("False", PlacementHubFixture.ConditionOf(placement, PlacementConditions.Misconfigured));
        var group = Assert.Single(placement["status"]!["decisionGroups"]!.AsArray())!;
        Assert.Equal(2, group["clusterCount"]!.GetValue<int>());
        Assert.Equal("p-decision-1", group["decisions"]![0]!.GetValue<string>());

        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.ManagedClusterSetBindings, s.Namespace, s.Set), "Bound") == "True"
            && PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.ManagedClusterSets, null, s.Set), "ClusterSetEmpty", "message") == "3 ManagedClusters selected",
            "the binding is Bound and the set counts 3 clusters");
    }

    [Fact]
    public async Task NumberOfClustersSelectsTwoOfThree()
    {
        var s = await ScenarioAsync();
        for (var i = 1; i <= 3; i++)
        {
            await hub.CreateClusterAsync(s.C(i), s.Labels());
        }
        await hub.CreatePlacementAsync(s.Namespace, "two", """{"numberOfClusters":2}""");
        await hub.CreatePlacementAsync(s.Namespace, "five", """{"numberOfClusters":5}""");

        await hub.EventuallyAsync(async () => (await hub.DecisionsAsync(s.Namespace, "two")).Count == 2, "two clusters are selected");
        await hub.DecisionsBecomeAsync(s.Namespace, "five", s.C(1), s.C(2), s.C(3));
        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.Placements, s.Namespace, "five"), PlacementConditions.Satisfied, "message") == "2 cluster decisions unscheduled",
            "the placement for five reports NotAllDecisionsScheduled");
        var two = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "two");
        Assert.Equal(2, two["status"]!["numberOfSelectedClusters"]!.GetValue<int>());
    }

    [Fact]
    public async Task ClaimSelectorMatchesClusterClaims()
    {
        var s = await ScenarioAsync();
        await hub.CreateClusterAsync(s.C(1), s.Labels(), new Dictionary<string, string> { ["platform.open-cluster-management.io"] = "AWS" });
        await hub.CreateClusterAsync(s.C(2), s.Labels(), new Dictionary<string, string> { ["platform.open-cluster-management.io"] = "GCP" });
        await hub.CreatePlacementAsync(s.Namespace, "aws", """
            {"predicates":[{"requiredClusterSelector":{"claimSelector":{"matchExpressions":[
              {"key":"platform.open-cluster-management.io","operator":"In","values":["AWS"]}]}}}]}
            """);
        await hub.DecisionsBecomeAsync(s.Namespace, "aws", s.C(1));

        await hub.SetClusterStatusAsync(s.C(2), new Dictionary<string, string> { ["platform.open-cluster-management.io"] = "AWS" }, available: true);
        await hub.DecisionsBecomeAsync(s.Namespace, "aws", s.C(1), s.C(2));
    }

    [Fact]
    public async Task UnreachableClusterIsReplacedUnlessTolerated()
    {
        var s = await ScenarioAsync();
        for (var i = 1; i <= 3; i++)
        {
            await hub.CreateClusterAsync(s.C(i), s.Labels());
        }
        await hub.CreatePlacementAsync(s.Namespace, "plain", """{"numberOfClusters":2}""");
        await hub.CreatePlacementAsync(s.Namespace, "tolerant", $$"""
            {"numberOfClusters":2,"tolerations":[{"key":"{{OcmLabels.UnreachableTaint}}","operator":"Exists"}]}
            """);
        await hub.EventuallyAsync(async () => (await hub.DecisionsAsync(s.Namespace, "plain")).Count == 2
            && (await hub.DecisionsAsync(s.Namespace, "tolerant")).Count == 2, "both placements select two clusters");
        var plain = await hub.DecisionsAsync(s.Namespace, "plain");
        var tolerant = await hub.DecisionsAsync(s.Namespace, "tolerant");
        var victim = plain.Intersect(tolerant).First();

        await hub.PatchClusterAsync(victim, new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["taints"] = new JsonArray(new JsonObject { ["key"] = OcmLabels.UnreachableTaint, ["effect"] = TaintEffects.NoSelect }),
            },
        });

        var spare = new[] { s.C(1), s.C(2), s.C(3) }.Except(plain).Single();
        await hub.DecisionsBecomeAsync(s.Namespace, "plain", [.. plain.Except([victim]).Append(spare)]);
        Assert.Equal(tolerant, await hub.DecisionsAsync(s.Namespace, "tolerant"));
        await hub.EventuallyAsync(async () => (await hub.GetAsync(OcmCrds.ManagedClusters, null, victim))["spec"]?["taints"]?[0]?["timeAdded"] is not null,
            "the hub stamps the taint's timeAdded");
    }

    [Fact]
    public async Task WithoutBindingNothingIsSelected()
    {
        var s = await ScenarioAsync(bind: false);
        await hub.CreateClusterAsync(s.C(1), s.Labels());
        await hub.CreatePlacementAsync(s.Namespace, "p", "{}");

        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p"), PlacementConditions.Satisfied, "reason") == "NoManagedClusterSetBindings",
            "the placement reports NoManagedClusterSetBindings");
        var placement = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p");
        Assert.Equal("False", PlacementHubFixture.ConditionOf(placement, PlacementConditions.Satisfied));
        Assert.Equal("No valid ManagedClusterSetBindings found in placement namespace",
            PlacementHubFixture.ConditionOf(placement, PlacementConditions.Satisfied, "message"));
        Assert.Equal(0, placement["status"]!["numberOfSelectedClusters"]!.GetValue<int>());
        Assert.Empty(await hub.DecisionsAsync(s.Namespace, "p"));
        Assert.NotNull(await hub.Client.GetAsync(OcmCrds.PlacementDecisions, s.Namespace, "p-decision-1"));

        // Binding a set afterwards schedules it.
        await hub.CreateBoundSetAsync(s.Namespace, s.Set, new Dictionary<string, string> { ["test-run"] = s.Id });
        await hub.DecisionsBecomeAsync(s.Namespace, "p", s.C(1));
    }

    [Fact]
    public async Task DecisionsStayStableWhenAMatchingClusterIsAdded()
    {
        var s = await ScenarioAsync();
        await hub.CreateClusterAsync(s.C(1), s.Labels());
        await hub.CreateClusterAsync(s.C(2), s.Labels());
        await hub.CreatePlacementAsync(s.Namespace, "p", """{"numberOfClusters":2}""");
        await hub.DecisionsBecomeAsync(s.Namespace, "p", s.C(1), s.C(2));
        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p"), PlacementConditions.Satisfied) == "True",
            "the placement is satisfied");
        var placementVersion = (await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p")).ResourceVersion();
        var decisionVersion = (await hub.GetAsync(OcmCrds.PlacementDecisions, s.Namespace, "p-decision-1")).ResourceVersion();

        // c0 sorts first by name and is unused: it would win every tie, yet must not displace a selected cluster.
        await hub.CreateClusterAsync(s.C(0), s.Labels());
        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.ManagedClusterSets, null, s.Set), "ClusterSetEmpty", "message") == "3 ManagedClusters selected",
            "the set counts the new cluster");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal([s.C(1), s.C(2)], await hub.DecisionsAsync(s.Namespace, "p"));

        // Re-evaluating an unchanged outcome writes nothing.
        Assert.Equal(placementVersion, (await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p")).ResourceVersion());
        Assert.Equal(decisionVersion, (await hub.GetAsync(OcmCrds.PlacementDecisions, s.Namespace, "p-decision-1")).ResourceVersion());

        // A selected cluster leaving the set is replaced by the new one, the other stays.
        await hub.PatchClusterAsync(s.C(1), new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["test-run"] = null } } });
        await hub.DecisionsBecomeAsync(s.Namespace, "p", s.C(0), s.C(2));
    }

    [Fact]
    public async Task MisconfiguredTolerationIsReported()
    {
        var s = await ScenarioAsync();
        await hub.CreateClusterAsync(s.C(1), s.Labels());
        await hub.CreatePlacementAsync(s.Namespace, "p", """{"tolerations":[{"operator":"Equal","value":"x"}]}""");
        await hub.EventuallyAsync(async () =>
            PlacementHubFixture.ConditionOf(await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p"), PlacementConditions.Misconfigured) == "True",
            "the placement is reported misconfigured");
        var placement = await hub.GetAsync(OcmCrds.Placements, s.Namespace, "p");
        Assert.Equal("TaintToleration:If the key is empty, operator must be Exists.",
            PlacementHubFixture.ConditionOf(placement, PlacementConditions.Misconfigured, "message"));
        Assert.Empty(await hub.DecisionsAsync(s.Namespace, "p"));

        await hub.Client.PatchAsync(OcmCrds.Placements, s.Namespace, "p", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"tolerations":[{"key":"k","operator":"Exists"}]}}""")!);
        await hub.DecisionsBecomeAsync(s.Namespace, "p", s.C(1));
    }

    [Fact]
    public async Task DefaultClusterSetsExistAndTakeUnlabelledClusters()
    {
        var s = await ScenarioAsync();
        await hub.CreateClusterAsync(s.C(1), s.Labels());
        await hub.CreateClusterAsync(s.C(2), s.Labels((OcmLabels.ClusterSet, s.Set)));
        await hub.EventuallyAsync(async () => (await hub.Client.GetAsync(OcmCrds.ManagedClusterSets, null, "default")) is not null
            && (await hub.Client.GetAsync(OcmCrds.ManagedClusterSets, null, "global")) is not null, "the default and global sets exist");
        await hub.EventuallyAsync(async () => (await hub.GetAsync(OcmCrds.ManagedClusters, null, s.C(1))).Labels().GetValueOrDefault(OcmLabels.ClusterSet) == "default",
            "an unlabelled cluster joins the default set");
        Assert.Equal(s.Set, (await hub.GetAsync(OcmCrds.ManagedClusters, null, s.C(2))).Labels()[OcmLabels.ClusterSet]);

        await hub.BindAsync(s.Namespace, "global");
        await hub.BindAsync(s.Namespace, "default");
        var ownClusters = """{"requiredClusterSelector":{"labelSelector":{"matchLabels":{"test-run":"ID"}}}}""".Replace("ID", s.Id);
        await hub.CreatePlacementAsync(s.Namespace, "global", $$"""{"clusterSets":["global"],"predicates":[{{ownClusters}}]}""");
        await hub.CreatePlacementAsync(s.Namespace, "default", $$"""{"clusterSets":["default"],"predicates":[{{ownClusters}}]}""");
        await hub.DecisionsBecomeAsync(s.Namespace, "global", s.C(1), s.C(2));
        await hub.DecisionsBecomeAsync(s.Namespace, "default", s.C(1));

        // The hub restores the default set's selector.
        await hub.Client.PatchAsync(OcmCrds.ManagedClusterSets, null, "default", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"clusterSelector":{"selectorType":"LabelSelector","labelSelector":{}}}}""")!);
        await hub.EventuallyAsync(async () =>
            (await hub.GetAsync(OcmCrds.ManagedClusterSets, null, "default"))["spec"]?["clusterSelector"]?["selectorType"]?.GetValue<string>() == "ExclusiveClusterSetLabel",
            "the default set's selector is rolled back");
    }

    [Fact]
    public async Task PlacementRuleHonoursClusterReplicasAndAvailability()
    {
        var s = await ScenarioAsync(bind: false);
        for (var i = 1; i <= 3; i++)
        {
            await hub.CreateClusterAsync(s.C(i), s.Labels());
        }
        await hub.Client.CreateAsync(OcmCrds.PlacementRules, new JsonObject
        {
            ["apiVersion"] = OcmCrds.PlacementRules.ApiVersion,
            ["kind"] = OcmCrds.PlacementRules.Kind,
            ["metadata"] = new JsonObject { ["name"] = "rule", ["namespace"] = s.Namespace },
            ["spec"] = JsonNode.Parse("""{"clusterReplicas":2,"clusterSelector":{"matchLabels":{"test-run":"ID"}}}""".Replace("ID", s.Id)),
        });

        async Task<IReadOnlyList<(string?, string?)>> RuleDecisionsAsync() =>
            ((await hub.GetAsync(OcmCrds.PlacementRules, s.Namespace, "rule"))["status"]?["decisions"] as JsonArray ?? [])
                .OfType<JsonObject>().Select(d => (d.GetString("clusterName"), d.GetString("clusterNamespace"))).ToList();

        await hub.EventuallyAsync(async () => (await RuleDecisionsAsync()).SequenceEqual([(s.C(1), s.C(1)), (s.C(2), s.C(2))]),
            "the rule decides the first two clusters");

        await hub.SetClusterStatusAsync(s.C(1), [], available: false);
        await hub.EventuallyAsync(async () => (await RuleDecisionsAsync()).SequenceEqual([(s.C(2), s.C(2)), (s.C(3), s.C(3))]),
            "an unavailable cluster is replaced, the other decision kept first");
    }
}
