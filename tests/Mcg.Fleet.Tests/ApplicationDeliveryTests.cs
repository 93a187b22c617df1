using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Xunit.Abstractions;

namespace Mcg.Fleet.Tests;

/// <summary>
/// Argo CD Applications delivered to managed clusters as ManifestWorks: a hub and three virtual clusters with their
/// agents (real processes), a real Git repository, an ApplicationSet over a Placement and a plain Application.
/// </summary>
[Collection(DeliveryFleetFixture.Collection)]
public sealed class ApplicationDeliveryTests(DeliveryFleetFixture fx, ITestOutputHelper output)
{
    private static readonly string[] Names = DeliveryFleetFixture.Names;

    [Fact]
    public async Task ApplicationsReachEveryClusterFollowCommitsPruneHealAndSurviveAHubRestart()
    {
        using var repo = new GitRepo();
        repo.Write("guestbook/greeting.yaml", Greeting("v1"));
        repo.Write("guestbook/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {keep: \"no\"}\n");
        repo.Write("plain/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: plain}\n");
        repo.Write("plain/web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}
            """);
        repo.Commit("first");

        var fleet = fx.Fleet;
        (await fleet.Hub.RunAsync("apply -f -", $$$"""
            apiVersion: cluster.open-cluster-management.io/v1beta2
            kind: ManagedClusterSetBinding
            metadata: {name: global, namespace: argocd}
            spec: {clusterSet: global}
            ---
            apiVersion: cluster.open-cluster-management.io/v1beta1
            kind: Placement
            metadata: {name: group-one, namespace: argocd}
            spec:
              predicates:
              - requiredClusterSelector:
                  labelSelector: {matchLabels: {clusterGroup: group-one}}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {name: guestbook, namespace: argocd}
            spec:
              generators:
              - clusterDecisionResource:
                  configMapRef: acm-placement
                  labelSelector:
                    matchLabels: {cluster.open-cluster-management.io/placement: group-one}
                  requeueAfterSeconds: 2
              template:
                metadata:
                  name: '{{name}}-guestbook'
                  labels: {cluster: '{{clusterName}}'}
                spec:
                  project: default
                  source: {repoURL: '{{{repo.Url}}}', targetRevision: main, path: guestbook}
                  destination: {name: '{{name}}', namespace: guestbook}
                  syncPolicy:
                    automated: {prune: true, selfHeal: true}
                    syncOptions: [CreateNamespace=true]
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: plain, namespace: argocd}
            spec:
              project: default
              source: {repoURL: '{{{repo.Url}}}', targetRevision: main, path: plain}
              destination: {name: aws-1, namespace: plain}
              syncPolicy:
                automated: {}
                syncOptions: [CreateNamespace=true]
            """)).Ok();

        var first = repo.Git("rev-parse", "HEAD").Trim();
        foreach (var name in Names)
        {
            await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, $"-n argocd app {name}-guestbook")) == ("Synced", "Healthy", first), $"{name}-guestbook Synced/Healthy", fleet, 120);
            await EventuallyAsync(async () => await Greeting(fleet, name) == "v1", $"greeting on {name}", fleet);
            Assert.NotNull(await GetAsync(Cluster(fleet, name), "-n guestbook cm extra"));
        }
        // Health comes back through the work's status feedback: the Deployment is Progressing until its cluster reports it ready.
        await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, "-n argocd app plain")) == ("Synced", "Progressing", first), "plain Synced/Progressing", fleet);
        (await Cluster(fleet, "aws-1").RunAsync("""-n plain patch deployment web --subresource=status --type merge -p '{"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1}}'""")).Ok();
        await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, "-n argocd app plain")) == ("Synced", "Healthy", first), "plain Synced/Healthy", fleet);
        Assert.NotNull(await GetAsync(Cluster(fleet, "aws-1"), "-n plain cm settings"));
        Assert.Null(await GetAsync(Cluster(fleet, "gcp-1"), "-n plain cm settings"));

        var app = (await GetAsync(fleet.Hub, "-n argocd app aws-1-guestbook"))!;
        Assert.Equal("aws-1", app["metadata"]!["labels"]!["cluster"]!.GetValue<string>());
        Assert.Equal("ApplicationSet", app["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.Contains(app["status"]!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "greeting" && r["status"]!.GetValue<string>() == "Synced");
        Assert.Equal("Succeeded", app["status"]!["operationState"]!["phase"]!.GetValue<string>());
        var work = (await GetAsync(fleet.Hub, "-n aws-1 manifestwork argocd.aws-1-guestbook"))!;
        Assert.Contains(work["status"]!["resourceStatus"]!["manifests"]!.AsArray(), m => m!["resourceMeta"]!["name"]!.GetValue<string>() == "greeting");
        var appSet = (await GetAsync(fleet.Hub, "-n argocd applicationset guestbook"))!;
        Assert.Contains(appSet["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "ResourcesUpToDate" && c["status"]!.GetValue<string>() == "True");
        var list = await fleet.RunAsync("app", "list", "--kubeconfig", fleet.HubKubeconfig);
        Assert.Contains("argocd/gcp-1-guestbook", list.Out);
        Assert.Contains("gcp-1", list.Out);
        var onGcp = await fleet.RunAsync("app", "list", "--cluster", "gcp-1", "--kubeconfig", fleet.HubKubeconfig);
        Assert.Contains("argocd/gcp-1-guestbook", onGcp.Out);
        Assert.DoesNotContain("aws-1-guestbook", onGcp.Out);
        var get = await fleet.RunAsync("app", "get", "aws-1-guestbook", "--kubeconfig", fleet.HubKubeconfig);
        Assert.Contains("ManifestWork aws-1/argocd.aws-1-guestbook: Applied=True", get.Out);
        Assert.Contains("greeting", get.Out);

        // A commit reaches every cluster; a file removed from Git is pruned everywhere.
        repo.Write("guestbook/greeting.yaml", Greeting("v2"));
        repo.Delete("guestbook/extra.yaml");
        var second = repo.Commit("second");
        foreach (var name in Names)
        {
            await EventuallyAsync(async () => await Greeting(fleet, name) == "v2", $"v2 on {name}", fleet);
            await EventuallyAsync(async () => await GetAsync(Cluster(fleet, name), "-n guestbook cm extra") is null, $"extra pruned on {name}", fleet);
            await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, $"-n argocd app {name}-guestbook")) == ("Synced", "Healthy", second), $"{name}-guestbook at {second}", fleet);
        }

        // Drift on one cluster is healed there.
        (await Cluster(fleet, "gcp-1").RunAsync("""-n guestbook patch cm greeting --type merge -p '{"data":{"message":"drifted"}}'""")).Ok();
        await EventuallyAsync(async () => await Greeting(fleet, "gcp-1") == "v2", "drift healed on gcp-1", fleet, 30);

        // The hub is killed while the next commit is being delivered, and restarted on the same data.
        repo.Write("guestbook/greeting.yaml", Greeting("v3"));
        var third = repo.Commit("third");
        await EventuallyAsync(async () => (await GetAsync(fleet.Hub, "-A manifestworks"))?["items"]?.AsArray()
            .Any(w => w!["metadata"]!["annotations"]?["apps.mcg.io/revision"]?.GetValue<string>() == third) == true, "rollout of the third commit started", fleet);
        await fleet.KillHubAsync();
        await fleet.StartHubAsync("--app-resync", "2");
        foreach (var name in Names)
        {
            await EventuallyAsync(async () => await Greeting(fleet, name) == "v3", $"v3 on {name} after the hub restart", fleet, 120);
            await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, $"-n argocd app {name}-guestbook")) == ("Synced", "Healthy", third), $"{name}-guestbook at {third} after restart", fleet, 120);
            var history = (await GetAsync(fleet.Hub, $"-n argocd app {name}-guestbook"))!["status"]!["history"]!.AsArray();
            Assert.Contains(history, h => h!["revision"]!.GetValue<string>() == second);
            Assert.Contains(history, h => h!["revision"]!.GetValue<string>() == third);
        }

        // A cluster leaving the placement loses its Application, and the Application's resources go with it.
        (await fleet.Hub.RunAsync("""-n argocd patch placement group-one --type merge -p '{"spec":{"predicates":[{"requiredClusterSelector":{"labelSelector":{"matchLabels":{"clusterGroup":"group-one"},"matchExpressions":[{"key":"cloud","operator":"NotIn","values":["Azure"]}]}}}]}}'""")).Ok();
        await EventuallyAsync(async () => await GetAsync(fleet.Hub, "-n argocd app azure-1-guestbook") is null, "azure-1-guestbook deleted", fleet);
        await EventuallyAsync(async () => await GetAsync(Cluster(fleet, "azure-1"), "-n guestbook cm greeting") is null, "guestbook removed from azure-1", fleet);
        Assert.Equal("v3", await Greeting(fleet, "aws-1"));

        // The clusters generator over the cluster Secrets' copied labels, Go templates, and resources kept when the set goes.
        (await fleet.Hub.RunAsync("apply -f -", $$$"""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {name: audit, namespace: argocd}
            spec:
              goTemplate: true
              goTemplateOptions: [missingkey=error]
              syncPolicy: {preserveResourcesOnDeletion: true}
              generators:
              - clusters:
                  selector: {matchLabels: {cloud: GCP}}
              template:
                metadata: {name: '{{.name}}-audit'}
                spec:
                  project: default
                  source: {repoURL: '{{{repo.Url}}}', targetRevision: main, path: guestbook}
                  destination: {server: '{{.server}}', namespace: 'audit-{{index .metadata.labels "clusterGroup"}}'}
                  syncPolicy:
                    automated: {}
                    syncOptions: [CreateNamespace=true]
            """)).Ok();
        await EventuallyAsync(async () => AppState(await GetAsync(fleet.Hub, "-n argocd app gcp-1-audit")) == ("Synced", "Healthy", third), "gcp-1-audit Synced/Healthy", fleet);
        Assert.NotNull(await GetAsync(Cluster(fleet, "gcp-1"), "-n audit-group-one cm greeting"));
        Assert.Null(await GetAsync(fleet.Hub, "-n argocd app aws-1-audit"));
        (await fleet.Hub.RunAsync("-n argocd delete applicationset audit")).Ok();
        await EventuallyAsync(async () => await GetAsync(fleet.Hub, "-n argocd app gcp-1-audit") is null, "gcp-1-audit deleted with its set", fleet);
        await EventuallyAsync(async () => await GetAsync(fleet.Hub, "-n gcp-1 manifestwork argocd.gcp-1-audit") is null, "its ManifestWork withdrawn", fleet);
        Assert.NotNull(await GetAsync(Cluster(fleet, "gcp-1"), "-n audit-group-one cm greeting"));
    }

    private static string Greeting(string message) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: greeting}}\ndata: {{message: {message}}}\n";

    private Kubectl Cluster(FleetProcesses fleet, string name) => fx.Cluster(name);

    private async Task<string?> Greeting(FleetProcesses fleet, string cluster) =>
        (await GetAsync(Cluster(fleet, cluster), "-n guestbook cm greeting"))?["data"]?["message"]?.GetValue<string>();

    private static (string?, string?, string?) AppState(JsonObject? app) =>
        (app?["status"]?["sync"]?["status"]?.GetValue<string>(), app?["status"]?["health"]?["status"]?.GetValue<string>(), app?["status"]?["sync"]?["revision"]?.GetValue<string>());

    private static Task<JsonObject?> GetAsync(Kubectl kubectl, string args) => DeliveryFleetFixture.GetAsync(kubectl, args);

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what, FleetProcesses fleet, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                output.WriteLine(fleet.Log);
                output.WriteLine((await fleet.Hub.RunAsync("get applications,applicationsets,manifestworks -A -o yaml")).Out);
                throw new TimeoutException($"timed out waiting for: {what}");
            }
            await Task.Delay(250);
        }
    }
}
