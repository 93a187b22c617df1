using System.Text.Json.Nodes;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Xunit.Abstractions;

namespace Mcg.Fleet.Tests;

/// <summary>
/// Argo CD sync phases, waves and hooks for an application on a managed cluster (its ManifestWork grows step by step;
/// hook completion comes back through status feedback), and <c>mcg app diff</c> for such an application. Runs on the
/// shared delivery fleet; <c>gcp-1</c> runs the simulators, so its Jobs really run and complete (or fail).
/// </summary>
[Collection(DeliveryFleetFixture.Collection)]
public sealed class RemoteSyncTests(DeliveryFleetFixture fx, ITestOutputHelper output)
{
    private const string Cluster = "gcp-1";

    [Fact]
    public async Task HooksAndWavesRunInOrderOnAManagedClusterAndAFailedPreSyncHookStopsTheSync()
    {
        using var repo = new GitRepo();
        repo.Write("ordered/pre.yaml", Job("pre", "argocd.argoproj.io/hook: PreSync", "2s"));
        repo.Write("ordered/migrate.yaml", Job("migrate", "argocd.argoproj.io/sync-wave: '0'", "2s"));
        repo.Write("ordered/late.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, annotations: {argocd.argoproj.io/sync-wave: '1'}}\ndata: {wave: '1'}\n");
        repo.Write("ordered/post.yaml", Job("post", "argocd.argoproj.io/hook: PostSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded", "1s"));
        repo.Write("ordered/post-marker.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: post-marker, annotations: {argocd.argoproj.io/hook: PostSync}}\ndata: {done: 'yes'}\n");
        repo.Write("failing/pre.yaml", Job("pre-fail", "argocd.argoproj.io/hook: PreSync\n    sim.mcg.io/fail: 'true'", "1s"));
        repo.Write("failing/main.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: main}\ndata: {a: b}\n");
        repo.Write("failing/on-fail.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: on-fail, annotations: {argocd.argoproj.io/hook: SyncFail}}\ndata: {failed: 'yes'}\n");
        var revision = repo.Commit("hooks and waves");

        (await fx.Fleet.Hub.RunAsync("apply -f -", Application("ordered", repo.Url, "ordered", "hooks-ordered", automated: true)
            + "---\n" + Application("failing", repo.Url, "failing", "hooks-failing", automated: true))).Ok();

        await EventuallyAsync(async () => State(await AppAsync("ordered")) == ("Synced", "Healthy", "Succeeded"), "ordered Synced/Healthy, sync Succeeded", 120);
        var app = (await AppAsync("ordered"))!;
        Assert.Equal(revision, app["status"]!["sync"]!["revision"]!.GetValue<string>());
        Assert.Single(app["status"]!["history"]!.AsArray()); // synced once: a finished operation is never taken for an interrupted one
        var results = app["status"]!["operationState"]!["syncResult"]!["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(["PreSync Job/pre", "Sync Job/migrate", "Sync ConfigMap/late", "PostSync ConfigMap/post-marker", "PostSync Job/post"],
            results.Select(r => $"{r["syncPhase"]} {r["kind"]}/{r["name"]}"));
        Assert.All(results.Where(r => r["hookType"] is not null), r => Assert.Equal("Succeeded", r["hookPhase"]!.GetValue<string>()));
        Assert.DoesNotContain(app["status"]!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() is "pre" or "post" or "post-marker");

        // Order on the cluster: each step started after the previous one was complete (the Jobs ran 2 s each).
        var pre = (await OnClusterAsync("hooks-ordered", "job pre"))!;
        var migrate = (await OnClusterAsync("hooks-ordered", "job migrate"))!;
        var late = (await OnClusterAsync("hooks-ordered", "cm late"))!;
        var marker = (await OnClusterAsync("hooks-ordered", "cm post-marker"))!;
        Assert.True(Time(pre, "status", "completionTime") <= Time(migrate, "metadata", "creationTimestamp"), "wave 0 started after the PreSync hook completed");
        Assert.True(Time(pre, "metadata", "creationTimestamp") < Time(migrate, "metadata", "creationTimestamp"));
        Assert.True(Time(migrate, "status", "completionTime") <= Time(late, "metadata", "creationTimestamp"), "wave 1 started after wave 0 was healthy");
        Assert.True(Time(migrate, "metadata", "creationTimestamp") < Time(late, "metadata", "creationTimestamp"));
        Assert.True(Time(late, "metadata", "creationTimestamp") <= Time(marker, "metadata", "creationTimestamp"), "PostSync after the last wave");
        // HookSucceeded: the PostSync Job ran (its Succeeded came from the cluster's feedback) and was removed; the PreSync hook stays (BeforeHookCreation).
        await EventuallyAsync(async () => await OnClusterAsync("hooks-ordered", "job post") is null, "PostSync hook deleted (HookSucceeded)");
        Assert.Equal("True", pre["status"]!["conditions"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "Complete")!["status"]!.GetValue<string>());
        var work = (await DeliveryFleetFixture.GetAsync(fx.Fleet.Hub, $"-n {Cluster} manifestwork argocd.ordered"))!;
        var delivered = work["spec"]!["workload"]!["manifests"]!.AsArray().Select(m => m!["metadata"]!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("pre", delivered);
        Assert.DoesNotContain("post", delivered);

        // Syncing again re-creates the hooks with the default policy (BeforeHookCreation): the earlier one goes first.
        var sync = await McgAsync("app", "sync", "ordered", "--timeout", "120");
        Assert.True(sync.ExitCode == 0, sync.Out + sync.Err);
        var again = (await OnClusterAsync("hooks-ordered", "job pre"))!;
        Assert.True(Time(again, "metadata", "creationTimestamp") > Time(pre, "metadata", "creationTimestamp"), "PreSync hook re-created");
        Assert.NotEqual(pre["metadata"]!["uid"]!.GetValue<string>(), again["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(migrate["metadata"]!["uid"]!.GetValue<string>(), (await OnClusterAsync("hooks-ordered", "job migrate"))!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Null(await OnClusterAsync("hooks-ordered", "job post"));
        Assert.Equal(("Synced", "Healthy", "Succeeded"), State(await AppAsync("ordered")));

        // A failed PreSync hook fails the sync: the main resources are not delivered, the SyncFail hook runs.
        await EventuallyAsync(async () => (await AppAsync("failing"))?["status"]?["operationState"]?["phase"]?.GetValue<string>() == "Failed", "failing sync Failed", 120);
        var failing = (await AppAsync("failing"))!;
        Assert.Contains("PreSync hook Job hooks-failing/pre-fail failed", failing["status"]!["operationState"]!["message"]!.GetValue<string>());
        var failed = failing["status"]!["operationState"]!["syncResult"]!["resources"]!.AsArray();
        Assert.Contains(failed, r => r!["name"]!.GetValue<string>() == "pre-fail" && r["hookPhase"]!.GetValue<string>() == "Failed");
        Assert.Null(await OnClusterAsync("hooks-failing", "cm main"));
        Assert.NotNull(await OnClusterAsync("hooks-failing", "cm on-fail"));
        Assert.Equal("OutOfSync", failing["status"]!["sync"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppDiffComparesGitWithWhatTheManagedClusterApplied()
    {
        using var repo = new GitRepo();
        repo.Write("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: blue}\n");
        repo.Commit("blue");
        (await fx.Fleet.Hub.RunAsync("apply -f -", Application("diffed", repo.Url, "app", "diffed", automated: false))).Ok();
        await EventuallyAsync(async () => (await AppAsync("diffed"))?["status"]?["sync"]?["status"]?.GetValue<string>() == "OutOfSync", "diffed compared");

        // Nothing delivered yet: everything Git has is new.
        var before = await McgAsync("app", "diff", "diffed");
        Assert.Equal(1, before.ExitCode);
        Assert.Contains(before.Out.Split('\n'), l => l.StartsWith('+') && l.Contains("color: blue"));

        Assert.Equal(0, (await McgAsync("app", "sync", "diffed", "--timeout", "120")).ExitCode);
        await EventuallyAsync(async () => (await AppAsync("diffed"))?["status"]?["sync"]?["status"]?.GetValue<string>() == "Synced", "diffed Synced");
        var inSync = await McgAsync("app", "diff", "diffed");
        Assert.True(inSync.ExitCode == 0, inSync.Out + inSync.Err);
        Assert.DoesNotContain("=====", inSync.Out);

        repo.Write("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: green}\n");
        repo.Commit("green");
        var changed = await McgAsync("app", "diff", "diffed");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("/ConfigMap diffed/settings", changed.Out);
        Assert.Contains(changed.Out.Split('\n'), l => l.StartsWith('-') && l.Contains("color: blue"));
        Assert.Contains(changed.Out.Split('\n'), l => l.StartsWith('+') && l.Contains("color: green"));
        Assert.Contains($"ManifestWork {Cluster}/argocd.diffed", changed.Out);
        Assert.Equal("blue", (await OnClusterAsync("diffed", "cm settings"))!["data"]!["color"]!.GetValue<string>());
    }

    private static string Job(string name, string annotations, string runFor) => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
          annotations:
            sim.mcg.io/run-duration: {{runFor}}
            {{annotations}}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers: [{name: run, image: busybox}]
        """;

    private static string Application(string name, string repoUrl, string path, string ns, bool automated) => $$"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: {{name}}, namespace: argocd}
        spec:
          project: default
          source: {repoURL: '{{repoUrl}}', targetRevision: main, path: {{path}}}
          destination: {name: {{Cluster}}, namespace: {{ns}}}
          syncPolicy: {{(automated ? "{automated: {}, syncOptions: [CreateNamespace=true]}" : "{syncOptions: [CreateNamespace=true]}")}}

        """;

    private Task<(int ExitCode, string Out, string Err)> McgAsync(params string[] args) => fx.Fleet.RunAsync([.. args, "--kubeconfig", fx.Fleet.HubKubeconfig]);

    private Task<JsonObject?> AppAsync(string name) => DeliveryFleetFixture.GetAsync(fx.Fleet.Hub, $"-n argocd app {name}");

    private Task<JsonObject?> OnClusterAsync(string ns, string what) => DeliveryFleetFixture.GetAsync(fx.Cluster(Cluster), $"-n {ns} {what}");

    private static (string?, string?, string?) State(JsonObject? app) =>
        (app?["status"]?["sync"]?["status"]?.GetValue<string>(), app?["status"]?["health"]?["status"]?.GetValue<string>(),
            app?["status"]?["operationState"]?["phase"]?.GetValue<string>());

    private static DateTimeOffset Time(JsonObject obj, string section, string field) =>
        DateTimeOffset.Parse(obj[section]![field]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                output.WriteLine(fx.Fleet.Log);
                output.WriteLine((await fx.Fleet.Hub.RunAsync("get applications,manifestworks -A -o yaml")).Out);
                throw new TimeoutException($"timed out waiting for: {what}");
            }
            await Task.Delay(250);
        }
    }
}
