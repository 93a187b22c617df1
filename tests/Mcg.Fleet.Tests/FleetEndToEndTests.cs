using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Xunit.Abstractions;

namespace Mcg.Fleet.Tests;

/// <summary>A hub and three virtual clusters with their agents, as real processes.</summary>
public sealed class FleetEndToEndTests(ITestOutputHelper output)
{
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, FleetProcesses fleet, ITestOutputHelper output, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                output.WriteLine(fleet.Log);
                throw new TimeoutException($"timed out waiting for: {what}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<JsonObject?> GetAsync(Kubectl kubectl, string args)
    {
        var r = await kubectl.RunAsync($"get {args} -o json");
        return r.ExitCode == 0 ? (JsonObject)JsonNode.Parse(r.Out)! : null;
    }

    private static string? Condition(JsonObject? obj, string type) =>
        (obj?["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();

    [Fact]
    public async Task ClustersJoinReceiveWorkStayIsolatedAndTurnUnknownWhenTheirAgentStops()
    {
        await using var fleet = new FleetProcesses();
        await fleet.StartHubAsync();
        await fleet.AddClusterAsync("aws-1", "cloud=AWS", "clusterGroup=group-one");
        await fleet.AddClusterAsync("azure-1", "cloud=Azure", "clusterGroup=group-one");
        await fleet.AddClusterAsync("gcp-1", "cloud=GCP", "clusterGroup=group-one");
        foreach (var name in fleet.Clusters.Keys)
        {
            await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, $"managedcluster {name}"), "ManagedClusterConditionAvailable") == "True", $"{name} available", fleet, output);
        }
        var list = await fleet.RunAsync("cluster", "list", "--kubeconfig", fleet.HubKubeconfig);
        Assert.Contains("aws-1", list.Out);
        Assert.Contains("cloud=Azure", list.Out);
        Assert.Equal("group-one", (await GetAsync(fleet.Hub, "managedcluster gcp-1"))!["metadata"]!["labels"]!["clusterGroup"]!.GetValue<string>());

        // Work delivered to every cluster, applied with server-side apply, status back on the hub.
        foreach (var name in fleet.Clusters.Keys)
        {
            (await fleet.Hub.RunAsync("apply -f -", $$"""
                apiVersion: work.open-cluster-management.io/v1
                kind: ManifestWork
                metadata: {name: hello, namespace: {{name}} }
                spec:
                  workload:
                    manifests:
                    - {apiVersion: v1, kind: Namespace, metadata: {name: hello} }
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: greeting, namespace: hello}, data: {cluster: {{name}} } }
                """)).Ok();
        }
        foreach (var (name, cluster) in fleet.Clusters)
        {
            var kubectl = new Kubectl(cluster.KubeconfigPath);
            await EventuallyAsync(async () => (await GetAsync(kubectl, "-n hello cm greeting"))?["data"]?["cluster"]?.GetValue<string>() == name, $"work applied on {name}", fleet, output);
            await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, $"-n {name} manifestwork hello"), "Applied") == "True", $"work status from {name}", fleet, output);
        }

        // Drift on a managed cluster is healed by its agent.
        var aws = new Kubectl(fleet.Clusters["aws-1"].KubeconfigPath);
        (await aws.RunAsync("""-n hello patch cm greeting --type merge -p '{"data":{"cluster":"changed"}}'""")).Ok();
        await EventuallyAsync(async () => (await GetAsync(aws, "-n hello cm greeting"))?["data"]?["cluster"]?.GetValue<string>() == "aws-1", "drift healed", fleet, output, 10);

        // An agent's credential reaches only its own cluster namespace.
        var agent = new Kubectl(fleet.AgentKubeconfig("aws-1"));
        Assert.Equal(0, (await agent.RunAsync("-n aws-1 get manifestworks")).ExitCode);
        var other = await agent.RunAsync("-n azure-1 get manifestworks");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("forbidden", other.Err);
        Assert.Contains("forbidden", (await agent.RunAsync("get managedcluster azure-1")).Err);
        Assert.Contains("forbidden", (await agent.RunAsync("get namespaces")).Err);
        Assert.Contains("forbidden", (await agent.RunAsync("-n azure-1 get secret hub-kubeconfig-secret")).Err);
        Assert.Equal(0, (await agent.RunAsync("get managedcluster aws-1")).ExitCode);

        // Deleting the work removes what it applied.
        (await fleet.Hub.RunAsync("-n gcp-1 delete manifestwork hello")).Ok();
        var gcp = new Kubectl(fleet.Clusters["gcp-1"].KubeconfigPath);
        await EventuallyAsync(async () => await GetAsync(gcp, "ns hello") is null, "work cleaned up", fleet, output);

        // A placement of two of the three group-one clusters.
        (await fleet.Hub.RunAsync("create namespace apps")).Ok();
        (await fleet.Hub.RunAsync("apply -f -", """
            apiVersion: cluster.open-cluster-management.io/v1beta2
            kind: ManagedClusterSetBinding
            metadata: {name: global, namespace: apps}
            spec: {clusterSet: global}
            ---
            apiVersion: cluster.open-cluster-management.io/v1beta1
            kind: Placement
            metadata: {name: group-one, namespace: apps}
            spec:
              numberOfClusters: 2
              predicates:
              - requiredClusterSelector:
                  labelSelector: {matchLabels: {clusterGroup: group-one}}
            """)).Ok();
        async Task<List<string>> DecisionsAsync() =>
            (await GetAsync(fleet.Hub, "-n apps placementdecisions -l cluster.open-cluster-management.io/placement=group-one"))?["items"]?.AsArray()
                .SelectMany(d => d!["status"]?["decisions"]?.AsArray() ?? []).Select(x => x!["clusterName"]!.GetValue<string>()).Order().ToList() ?? [];
        await EventuallyAsync(async () => (await DecisionsAsync()).Count == 2, "two clusters placed", fleet, output);
        var placed = await DecisionsAsync();

        // Governance: an enforced musthave policy creates a namespace on the placed clusters; an inform policy reports.
        (await fleet.Hub.RunAsync("apply -f -", """
            apiVersion: policy.open-cluster-management.io/v1
            kind: Policy
            metadata: {name: ns-prod, namespace: apps}
            spec:
              remediationAction: enforce
              disabled: false
              policy-templates:
              - objectDefinition:
                  apiVersion: policy.open-cluster-management.io/v1
                  kind: ConfigurationPolicy
                  metadata: {name: ns-prod}
                  spec:
                    remediationAction: inform
                    severity: low
                    object-templates:
                    - complianceType: musthave
                      objectDefinition: {apiVersion: v1, kind: Namespace, metadata: {name: prod}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: Policy
            metadata: {name: ns-audit, namespace: apps}
            spec:
              remediationAction: inform
              disabled: false
              policy-templates:
              - objectDefinition:
                  apiVersion: policy.open-cluster-management.io/v1
                  kind: ConfigurationPolicy
                  metadata: {name: ns-audit}
                  spec:
                    remediationAction: inform
                    object-templates:
                    - complianceType: musthave
                      objectDefinition: {apiVersion: v1, kind: Namespace, metadata: {name: audit}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: PlacementBinding
            metadata: {name: group-one-policies, namespace: apps}
            placementRef: {apiGroup: cluster.open-cluster-management.io, kind: Placement, name: group-one}
            subjects:
            - {apiGroup: policy.open-cluster-management.io, kind: Policy, name: ns-prod}
            - {apiGroup: policy.open-cluster-management.io, kind: Policy, name: ns-audit}
            """)).Ok();
        await EventuallyAsync(async () => (await GetAsync(fleet.Hub, "-n apps policy ns-prod"))?["status"]?["compliant"]?.GetValue<string>() == "Compliant", "ns-prod Compliant", fleet, output);
        foreach (var name in placed)
        {
            Assert.NotNull(await GetAsync(new Kubectl(fleet.Clusters[name].KubeconfigPath), "ns prod"));
        }
        await EventuallyAsync(async () => (await GetAsync(fleet.Hub, "-n apps policy ns-audit"))?["status"]?["compliant"]?.GetValue<string>() == "NonCompliant", "ns-audit NonCompliant", fleet, output);
        var replica = await GetAsync(fleet.Hub, $"-n {placed[0]} policy apps.ns-audit");
        Assert.Contains("namespaces [audit] not found", replica!["status"]!["details"]![0]!["history"]![0]!["message"]!.GetValue<string>());
        var policies = await fleet.RunAsync("policy", "list", "--kubeconfig", fleet.HubKubeconfig);
        Assert.Contains("ns-audit", policies.Out);
        Assert.Contains("NonCompliant", policies.Out);

        // A silent agent: Unknown and tainted, the placement moves away; back when it returns.
        var silent = placed[0];
        await fleet.StopAgentAsync(silent);
        await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, $"managedcluster {silent}"), "ManagedClusterConditionAvailable") == "Unknown", $"{silent} Unknown", fleet, output, 30);
        await EventuallyAsync(async () => !(await DecisionsAsync()).Contains(silent) && (await DecisionsAsync()).Count == 2, "placement moved", fleet, output, 30);
        fleet.StartAgent(silent);
        await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, $"managedcluster {silent}"), "ManagedClusterConditionAvailable") == "True", $"{silent} back", fleet, output, 30);
        await EventuallyAsync(async () => (await GetAsync(fleet.Hub, $"managedcluster {silent}"))!["spec"]?["taints"] is not JsonArray { Count: > 0 }, "taint removed", fleet, output, 30);

        // Stop another agent to check the taint itself.
        await fleet.StopAgentAsync("azure-1");
        await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, "managedcluster azure-1"), "ManagedClusterConditionAvailable") == "Unknown", "azure-1 Unknown", fleet, output, 30);
        var taints = (await GetAsync(fleet.Hub, "managedcluster azure-1"))!["spec"]!["taints"]!.AsArray();
        Assert.Contains(taints, t => t!["key"]!.GetValue<string>() == "cluster.open-cluster-management.io/unreachable");
        fleet.StartAgent("azure-1");
        await EventuallyAsync(async () => Condition(await GetAsync(fleet.Hub, "managedcluster azure-1"), "ManagedClusterConditionAvailable") == "True", "azure-1 back", fleet, output, 30);
    }

    [Fact]
    public async Task BootstrapTokensCanBeRevoked()
    {
        await using var fleet = new FleetProcesses();
        await fleet.StartHubAsync();
        var bootstrap = Path.Combine(fleet.Root, "revoked-bootstrap");
        Assert.Equal(0, (await fleet.RunAsync("cluster", "join", "revoked", "--kubeconfig", fleet.HubKubeconfig, "--output", bootstrap)).ExitCode);
        var withToken = new Kubectl(bootstrap);
        Assert.Contains("forbidden", (await withToken.RunAsync("get managedcluster other")).Err);
        Assert.Equal(0, (await fleet.RunAsync("cluster", "join", "revoked", "--kubeconfig", fleet.HubKubeconfig, "--revoke")).ExitCode);
        var after = await withToken.RunAsync("get managedcluster revoked");
        Assert.Contains("Unauthorized", after.Err);
    }
}
