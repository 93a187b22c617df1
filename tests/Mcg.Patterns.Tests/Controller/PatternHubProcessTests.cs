using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Mcg.Kube.Objects;
using Mcg.Patterns.Tests.Support;

namespace Mcg.Patterns.Tests.Controller;

/// <summary>
/// Real processes: <c>mcg hub</c>, a virtual cluster with its agent, and a local Git repository holding
/// samples/multicloud-gitops. A Pattern makes the hub's objects appear; labelling the cluster clusterGroup=group-one
/// brings it the group's Applications and work; a new commit is picked up; unlabelling prunes.
/// </summary>
public sealed class PatternHubProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(120);
    private readonly FleetProcesses _fleet = new();
    private readonly GitRepo _repo = new();

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(Fixtures.Sample, "*", SearchOption.AllDirectories))
        {
            _repo.Write(Path.GetRelativePath(Fixtures.Sample, file), File.ReadAllText(file));
        }
        _repo.Commit("the sample pattern");
        await _fleet.StartHubAsync();
        await Eventually.TrueAsync(async () => (await _fleet.Hub.RunAsync("get crd patterns.gitops.hybrid-cloud-patterns.io")).ExitCode == 0
            && (await _fleet.Hub.RunAsync("get ns argocd")).ExitCode == 0, "the hub serves Patterns", Slow);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _repo.Dispose();
    }

    [Fact]
    public async Task PatternDrivesTheHubAndTheClustersOfItsGroups()
    {
        var hub = _fleet.Hub;
        await hub.RunAsync("create namespace openshift-operators");
        (await hub.RunAsync("apply -f -", $$"""
            apiVersion: gitops.hybrid-cloud-patterns.io/v1alpha1
            kind: Pattern
            metadata: {name: multicloud-gitops, namespace: openshift-operators}
            spec:
              clusterGroupName: hub
              gitSpec: {targetRepo: "{{_repo.Url}}", targetRevision: main}
            """)).Ok();

        // The hub's group: Namespace with the managed-by label, AppProjects, the Application, the group's Placement.
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application hello-world")).ExitCode == 0, "the hub's Application exists", Slow);
        var ns = await GetAsync(hub, "get namespace hello-world");
        Assert.Equal("multicloud-gitops-hub", ns.Labels()["argocd.argoproj.io/managed-by"]);
        (await hub.RunAsync("-n argocd get appproject hub hello-world")).Ok();
        var placement = await GetAsync(hub, "-n open-cluster-management get placement group-one-placement");
        Assert.Equal("group-one", placement["spec"]!["predicates"]![0]!["requiredClusterSelector"]!["labelSelector"]!["matchLabels"]!["clusterGroup"]!.GetValue<string>());
        var app = await GetAsync(hub, "-n argocd get application hello-world");
        Assert.Equal("in-cluster", app["spec"]!["destination"]!["name"]!.GetValue<string>());
        Assert.NotNull(app["spec"]!["syncPolicy"]!["automated"]);
        await Eventually.TrueAsync(async () => (await GetAsync(hub, "-n openshift-operators get pattern multicloud-gitops"))["status"]?["lastStep"]?.GetValue<string>()?.StartsWith("applied", StringComparison.Ordinal) == true,
            "the Pattern reports the applied revision", Slow);
        var status = (await GetAsync(hub, "-n openshift-operators get pattern multicloud-gitops"))["status"]!;
        Assert.Equal("apps.hub.mcg.local", status["appClusterDomain"]!.GetValue<string>());
        Assert.Contains(status["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "GitInSync" && c["status"]!.GetValue<string>() == "True");
        // status.applications follows the Application's own status (sync and health as the application controller reports them).
        await Eventually.TrueAsync(async () => (await GetAsync(hub, "-n openshift-operators get pattern multicloud-gitops"))["status"]?["applications"]?.AsArray()
            .Any(a => a!["name"]!.GetValue<string>() == "hello-world" && a["syncStatus"]!.GetValue<string>() != "Unknown") == true, "the Pattern reports hello-world's sync status", Slow);

        // Broken inputs are reported on the Pattern: an unreachable repository, an invalid values file.
        using var broken = new GitRepo();
        broken.Write("values-global.yaml", "global:\n  options: {}\nmain: {clusterGroupName: hub}\n");
        broken.Commit("no pattern name");
        (await hub.RunAsync("apply -f -", $$"""
            apiVersion: gitops.hybrid-cloud-patterns.io/v1alpha1
            kind: Pattern
            metadata: {name: invalid, namespace: openshift-operators}
            spec:
              gitSpec: {targetRepo: "{{broken.Url}}", targetRevision: main}
            ---
            apiVersion: gitops.hybrid-cloud-patterns.io/v1alpha1
            kind: Pattern
            metadata: {name: unreachable, namespace: openshift-operators}
            spec:
              gitSpec: {targetRepo: "{{broken.Url}}-missing", targetRevision: main}
            """)).Ok();
        await Eventually.TrueAsync(async () => (await GetAsync(hub, "-n openshift-operators get pattern invalid"))["status"]?["lastError"]?.GetValue<string>()
            == "values-global.yaml: line 1: global.pattern: is required", "the invalid values file is reported", Slow);
        // ...and as Events: kubectl describe shows the failure on the broken Pattern, the applied revision on the good one.
        Assert.Matches(@"Warning\s+ReconcileFailed\s+.*patterns-operator\s+values-global.yaml: line 1: global.pattern: is required",
            (await hub.RunAsync("-n openshift-operators describe pattern invalid")).Ok().Out);
        Assert.Matches(@"Normal\s+Applied\s+.*patterns-operator\s+Applied \d+ objects from revision [0-9a-f]{7}, pruned \d+",
            (await hub.RunAsync("-n openshift-operators describe pattern multicloud-gitops")).Ok().Out);
        await Eventually.TrueAsync(async () => (await GetAsync(hub, "-n openshift-operators get pattern unreachable"))["status"]?["conditions"]?.AsArray()
            .Any(c => c!["type"]!.GetValue<string>() == "GitOutOfSync" && c["status"]!.GetValue<string>() == "True") == true, "the unreachable repository is reported", Slow);
        (await hub.RunAsync("-n openshift-operators delete pattern invalid unreachable")).Ok();

        // A cluster joins without the label: nothing for it. Labelled clusterGroup=group-one: its Applications and work appear.
        await _fleet.AddClusterAsync("spoke1", "cloud=Amazon");
        await Eventually.TrueAsync(async () => (await hub.RunAsync("get managedcluster spoke1")).ExitCode == 0, "spoke1 registered", Slow);
        Assert.NotEqual(0, (await hub.RunAsync("-n argocd get application spoke1-hello-world")).ExitCode);
        (await hub.RunAsync("label managedcluster spoke1 clusterGroup=group-one")).Ok();
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application spoke1-portworx-demo")).ExitCode == 0,
            "spoke1 receives the group's Applications", Slow);
        var spokeApp = await GetAsync(hub, "-n argocd get application spoke1-hello-world");
        Assert.Equal("spoke1", spokeApp["spec"]!["destination"]!["name"]!.GetValue<string>());
        Assert.Equal("group-one", spokeApp.Labels()["validatedpatterns.io/cluster-group"]);
        var patch = YamlJson.Parse(spokeApp["spec"]!["source"]!["kustomize"]!["patches"]![0]!["patch"]!.GetValue<string>())!.AsArray();
        Assert.Contains(patch, op => op!["path"]!.GetValue<string>() == "/data/global.localClusterName" && op["value"]!.GetValue<string>() == "spoke1");
        Assert.Contains(patch, op => op!["path"]!.GetValue<string>() == "/data/global.clusterPlatform" && op["value"]!.GetValue<string>() == "AWS");
        var work = await GetAsync(hub, "-n spoke1 get manifestwork multicloud-gitops-group-one-namespaces");
        Assert.Equal(["hello-world", "config-demo", "portworx", "portworx-demo"],
            work["spec"]!["workload"]!["manifests"]!.AsArray().Select(m => m!["metadata"]!["name"]!.GetValue<string>()));
        (await hub.RunAsync("-n argocd get appproject portworx config-demo")).Ok();

        // A new commit is picked up (by the controller's poll): a new hub application appears.
        _repo.Write("apps/extra/kustomization.yaml", "resources: [cm.yaml]\n");
        _repo.Write("apps/extra/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n");
        // It also lists the fleet's namespace (as upstream's values-hub.yaml does): adopted, never pruned.
        _repo.Write("values-hub.yaml", File.ReadAllText(Path.Combine(_repo.Path, "values-hub.yaml")).Replace("    hello-world:\n  argoProjects:",
            "    hello-world:\n    open-cluster-management:\n  argoProjects:", StringComparison.Ordinal).Replace("  managedClusterGroups:", """
                extra:
                  name: extra
                  namespace: hello-world
                  argoProject: hub
                  path: apps/extra
              managedClusterGroups:
            """ + "\n", StringComparison.Ordinal));
        var sha = _repo.Commit("add an application");
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application extra")).ExitCode == 0, "the new commit's Application appears", Slow);
        Assert.Contains(sha, (await GetAsync(hub, "-n openshift-operators get pattern multicloud-gitops"))["status"]!["conditions"]!.ToJsonString());
        Assert.Equal("multicloud-gitops-hub", (await GetAsync(hub, "get namespace open-cluster-management")).Labels()["argocd.argoproj.io/managed-by"]);

        // Unlabelled: the cluster's Applications and work are pruned.
        (await hub.RunAsync("label managedcluster spoke1 clusterGroup-")).Ok();
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application spoke1-hello-world")).ExitCode != 0
            && (await hub.RunAsync("-n spoke1 get manifestwork multicloud-gitops-group-one-namespaces")).ExitCode != 0, "spoke1's objects are pruned", Slow);
        (await hub.RunAsync("-n argocd get application hello-world")).Ok();

        // Deleting the Pattern prunes everything it generated.
        (await hub.RunAsync("-n openshift-operators delete pattern multicloud-gitops")).Ok();
        await Eventually.TrueAsync(async () => (await hub.RunAsync("-n argocd get application hello-world")).ExitCode != 0
            && (await hub.RunAsync("-n open-cluster-management get placement group-one-placement")).ExitCode != 0, "the Pattern's objects are pruned", Slow);
        (await hub.RunAsync("get namespace open-cluster-management")).Ok();
        await Eventually.TrueAsync(async () => (await hub.RunAsync("get namespace hello-world")).ExitCode != 0, "the Pattern's namespace is deleted", Slow);
    }

    private static async Task<JsonObject> GetAsync(Kubectl kubectl, string args) =>
        (JsonObject)JsonNode.Parse((await kubectl.RunAsync(args + " -o json")).Ok().Out)!;
}
