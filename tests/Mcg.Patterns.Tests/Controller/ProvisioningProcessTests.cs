using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Mcg.Kube.Objects;

namespace Mcg.Patterns.Tests.Controller;

/// <summary>
/// Real processes: a pattern whose managed cluster group lists a clusterDeployment; the hub's provisioner starts a
/// virtual cluster and its agent, which joins with the group's labels and receives the group's Applications; removing
/// the deployment from the values removes the cluster. An unknown driver is reported on the object.
/// </summary>
public sealed class ProvisioningProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(150);
    private readonly FleetProcesses _fleet = new();
    private readonly GitRepo _repo = new();

    private const string HubValues = """
        clusterGroup:
          name: hub
          namespaces: [web]
          applications: {}
          managedClusterGroups:
            exampleRegion:
              name: group-one
              clusterDeployments:
                east:
                  name: east
                  baseDomain: example.com
                  openshiftVersion: "4.18.1"
                  platform:
                    aws: {region: us-east-1}
        """;

    public async Task InitializeAsync()
    {
        _repo.Write("values-global.yaml", "global: {pattern: demo}\nmain: {clusterGroupName: hub}\n");
        _repo.Write("values-hub.yaml", HubValues);
        _repo.Write("values-group-one.yaml", "clusterGroup:\n  name: group-one\n  namespaces: [web]\n  applications:\n    web: {name: web, namespace: web, path: web}\n");
        _repo.Write("web/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n");
        _repo.Commit("pattern with a cluster deployment");
        await _fleet.StartHubAsync();
        await Eventually.TrueAsync(async () => (await _fleet.Hub.RunAsync("get crd clusterdeployments.hive.openshift.io")).ExitCode == 0
            && (await _fleet.Hub.RunAsync("get ns argocd")).ExitCode == 0, "the hub serves Hive kinds", Slow);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _repo.Dispose();
    }

    [Fact]
    public async Task ClusterDeploymentBecomesAVirtualClusterOfTheGroup()
    {
        var hub = _fleet.Hub;
        (await hub.RunAsync("apply -f -", $$"""
            apiVersion: gitops.hybrid-cloud-patterns.io/v1alpha1
            kind: Pattern
            metadata: {name: demo, namespace: default}
            spec:
              clusterGroupName: hub
              gitSpec: {targetRepo: "{{_repo.Url}}", targetRevision: main}
            """)).Ok();

        await Eventually.TrueAsync(async () => Condition(await GetAsync(hub, "get managedcluster east-group-one"), "ManagedClusterConditionAvailable") == "True",
            "the provisioned virtual cluster joins and is available", Slow);
        var cluster = await GetAsync(hub, "get managedcluster east-group-one");
        Assert.Equal(("group-one", "Amazon"), (cluster.Labels()["clusterGroup"], cluster.Labels()["cloud"]));
        Assert.Equal("True", Condition(await GetAsync(hub, "-n east-group-one get clusterdeployment east-group-one"), "Provisioned"));
        var kubeconfig = Path.Combine(_fleet.Root, "hub", "provisioned", "east-group-one", "cluster", "kubeconfig");
        Assert.True(File.Exists(kubeconfig));
        (await new Kubectl(kubeconfig).RunAsync("get namespaces")).Ok();
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application east-group-one-web")).ExitCode == 0,
            "the group's Application targets the new cluster", Slow);

        // A driver the hub does not have is reported, not ignored.
        (await hub.RunAsync("apply -f -", """
            apiVersion: hive.openshift.io/v1
            kind: ClusterDeployment
            metadata:
              name: west
              namespace: default
              annotations: {provisioner.mcg.io/driver: aws}
            spec:
              clusterName: west
              baseDomain: example.com
              platform: {aws: {region: us-west-2}}
            """)).Ok();
        await Eventually.TrueAsync(async () => Condition(await GetAsync(hub, "-n default get clusterdeployment west"), "ProvisionStopped") == "True", "the unknown driver is reported", Slow);
        var stopped = (await GetAsync(hub, "-n default get clusterdeployment west"))["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "ProvisionStopped")!;
        Assert.Equal("UnknownProvisioner", stopped["reason"]!.GetValue<string>());
        Assert.Contains("no cluster provisioner \"aws\"", stopped["message"]!.GetValue<string>());

        // Removed from the values: the pattern prunes the deployment, the provisioner removes the cluster.
        _repo.Write("values-hub.yaml", HubValues[..HubValues.IndexOf("      clusterDeployments:", StringComparison.Ordinal)]);
        _repo.Commit("no more cluster deployments");
        await Eventually.TrueAsync(async () => (await hub.RunAsync("get managedcluster east-group-one")).ExitCode != 0
            && !Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(kubeconfig))), "the cluster is removed", Slow);
    }

    private static string? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();

    private static async Task<JsonObject> GetAsync(Kubectl kubectl, string args)
    {
        var result = await kubectl.RunAsync(args + " -o json");
        return result.ExitCode == 0 ? (JsonObject)JsonNode.Parse(result.Out)! : new JsonObject();
    }
}
