using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Mcg.EndToEnd.Tests;

/// <summary>Git commits reaching a real cluster through the application controller, as Argo CD users expect.</summary>
public sealed class GitOpsEndToEndTests(GitOpsFixture fx, ITestOutputHelper output) : IClassFixture<GitOpsFixture>
{
    private static string ConfigMap(string name, string data, string? annotations = null) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        {(annotations is null ? "" : "  annotations: " + annotations + "\n")}data: {data}

        """;

    private static string Application(string name, string repoUrl, string ns, string syncPolicy) => $$"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: {{name}}
          namespace: argocd
        spec:
          project: default
          source:
            repoURL: {{repoUrl}}
            targetRevision: main
            path: app
          destination:
            server: https://kubernetes.default.svc
            namespace: {{ns}}
          syncPolicy:
        {{syncPolicy}}
        """;

    private async Task<JsonObject> AppAsync(string name) =>
        (JsonObject)JsonNode.Parse((await fx.Kubectl.RunAsync($"-n argocd get application {name} -o json")).Ok().Out)!;

    private async Task<JsonObject?> ConfigMapAsync(string ns, string name)
    {
        var r = await fx.Kubectl.RunAsync($"-n {ns} get cm {name} -o json");
        return r.ExitCode == 0 ? (JsonObject)JsonNode.Parse(r.Out)! : null;
    }

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                output.WriteLine(fx.Log.ToString());
                throw new TimeoutException($"timed out waiting for: {what}");
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task CommitsReachTheClusterPruneOnlyWithPruneAndDriftIsHealed()
    {
        using var repo = new GitRepo();
        repo.Write("app/colors.yaml", ConfigMap("colors", "{color: blue, size: big}"));
        repo.Write("app/extra.yaml", ConfigMap("extra", "{a: b}"));
        var first = repo.Commit("first");
        (await fx.Kubectl.RunAsync("apply -f -", Application("guestbook", repo.Url, "guestbook", """
                automated: {selfHeal: true}
                syncOptions: [CreateNamespace=true]
            """))).Ok();

        var wait = await fx.McgAsync("app", "wait", "guestbook", "--timeout", "60");
        Assert.True(wait.ExitCode == 0, wait.Out + wait.Err + fx.Log);
        // Not a terminal: one plain line per change; on a terminal: a live table (escape sequences) instead.
        Assert.Contains("app guestbook: Synced/Healthy", wait.Out);
        Assert.Contains("application 'guestbook': sync Synced, health Healthy", wait.Out);
        var onTerminal = await McgCli.RunOnTerminalAsync(fx.Server.KubeconfigPath, TimeSpan.FromSeconds(120), "app", "wait", "guestbook", "--timeout", "60");
        Assert.True(onTerminal.ExitCode == 0, onTerminal.Out + onTerminal.Err);
        Assert.Contains("\u001b[", onTerminal.Out);
        Assert.Contains("Synced/Healthy", onTerminal.Out);
        Assert.DoesNotContain("app guestbook: Synced/Healthy", onTerminal.Out);
        Assert.Contains("application 'guestbook': sync Synced, health Healthy", onTerminal.Out);
        var app = await AppAsync("guestbook");
        Assert.Equal("Synced", app["status"]!["sync"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", app["status"]!["health"]!["status"]!.GetValue<string>());
        Assert.Equal(first, app["status"]!["sync"]!["revision"]!.GetValue<string>());
        Assert.Equal("blue", (await ConfigMapAsync("guestbook", "colors"))!["data"]!["color"]!.GetValue<string>());

        // Second commit: a changed value, a removed key and a removed object, announced by a GitHub push webhook.
        repo.Write("app/colors.yaml", ConfigMap("colors", "{color: green}"));
        repo.Delete("app/extra.yaml");
        var second = repo.Commit("second");
        var status = await PushWebhookAsync(repo.Url, "main", second);
        Assert.Equal(200, status);
        await EventuallyAsync(async () => (await ConfigMapAsync("guestbook", "colors"))?["data"]?.ToJsonString() == """{"color":"green"}""", "the change applied");
        await EventuallyAsync(async () => (await AppAsync("guestbook"))["status"]?["sync"]?["revision"]?.GetValue<string>() == second, "the new revision compared");
        app = await AppAsync("guestbook");
        Assert.NotNull(await ConfigMapAsync("guestbook", "extra")); // no prune without prune
        Assert.Equal("OutOfSync", app["status"]!["sync"]!["status"]!.GetValue<string>());
        Assert.Contains(app["status"]!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "extra" && r["requiresPruning"]?.GetValue<bool>() == true);

        // With prune enabled the extra object goes.
        (await fx.Kubectl.RunAsync("""-n argocd patch application guestbook --type merge -p '{"spec":{"syncPolicy":{"automated":{"prune":true,"selfHeal":true}}}}'""")).Ok();
        await EventuallyAsync(async () => await ConfigMapAsync("guestbook", "extra") is null, "extra pruned");
        await EventuallyAsync(async () => (await AppAsync("guestbook"))["status"]?["sync"]?["status"]?.GetValue<string>() == "Synced", "synced after prune");

        // Drift: an out-of-band change is reverted (selfHeal).
        (await fx.Kubectl.RunAsync("""-n guestbook patch cm colors --type merge -p '{"data":{"color":"red"}}'""")).Ok();
        await EventuallyAsync(async () => (await ConfigMapAsync("guestbook", "colors"))?["data"]?["color"]?.GetValue<string>() == "green", "drift healed", 10);
        var history = (await AppAsync("guestbook"))["status"]!["history"]!.AsArray();
        Assert.Contains(history, h => h!["revision"]!.GetValue<string>() == first);
        Assert.Contains(history, h => h!["revision"]!.GetValue<string>() == second);
    }

    [Fact]
    public async Task DriftWithoutSelfHealIsReportedAsOutOfSync()
    {
        using var repo = new GitRepo();
        repo.Write("app/cm.yaml", ConfigMap("settings", "{mode: safe}"));
        repo.Commit("first");
        (await fx.Kubectl.RunAsync("apply -f -", Application("reporter", repo.Url, "reporter", """
                automated: {}
                syncOptions: [CreateNamespace=true]
            """))).Ok();
        Assert.Equal(0, (await fx.McgAsync("app", "wait", "reporter", "--timeout", "60")).ExitCode);
        (await fx.Kubectl.RunAsync("""-n reporter patch cm settings --type merge -p '{"data":{"mode":"fast"}}'""")).Ok();
        await EventuallyAsync(async () => (await AppAsync("reporter"))["status"]?["sync"]?["status"]?.GetValue<string>() == "OutOfSync", "OutOfSync reported", 10);
        Assert.Equal("fast", (await ConfigMapAsync("reporter", "settings"))!["data"]!["mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task BrokenCommitLeavesTheClusterUntouchedWithAComparisonError()
    {
        using var repo = new GitRepo();
        repo.Write("app/cm.yaml", ConfigMap("stable", "{v: '1'}"));
        repo.Commit("good");
        (await fx.Kubectl.RunAsync("apply -f -", Application("fragile", repo.Url, "fragile", """
                automated: {prune: true}
                syncOptions: [CreateNamespace=true]
            """))).Ok();
        Assert.Equal(0, (await fx.McgAsync("app", "wait", "fragile", "--timeout", "60")).ExitCode);

        repo.Write("app/cm.yaml", ConfigMap("stable", "{v: '2'}"));
        repo.Write("app/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata: {a: [unclosed\n");
        var broken = repo.Commit("broken");
        Assert.Equal(200, await PushWebhookAsync(repo.Url, "main", broken));
        await EventuallyAsync(async () => (await AppAsync("fragile"))["status"]?["conditions"]?.AsArray()
            .Any(c => c?["type"]?.GetValue<string>() == "ComparisonError") == true, "ComparisonError");
        var condition = (await AppAsync("fragile"))["status"]!["conditions"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "ComparisonError")!;
        Assert.Contains("broken.yaml", condition["message"]!.GetValue<string>());
        Assert.Equal("1", (await ConfigMapAsync("fragile", "stable"))!["data"]!["v"]!.GetValue<string>());
        Assert.Null(await ConfigMapAsync("fragile", "broken"));
    }

    [Fact]
    public async Task WavesAndPreSyncHookRunInOrder()
    {
        using var repo = new GitRepo();
        repo.Write("app/hook.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: migrate
              annotations:
                argocd.argoproj.io/hook: PreSync
                argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: migrate, image: busybox}]
            """);
        repo.Write("app/late.yaml", ConfigMap("late", "{wave: '2'}", "{argocd.argoproj.io/sync-wave: '2'}"));
        repo.Write("app/early.yaml", ConfigMap("early", "{wave: '-1'}", "{argocd.argoproj.io/sync-wave: '-1'}"));
        repo.Write("app/middle.yaml", ConfigMap("middle", "{wave: '0'}"));
        repo.Commit("waves");
        using var kubelet = new CancellationTokenSource();
        var jobRunner = CompleteJobsAsync("waves", kubelet.Token);
        (await fx.Kubectl.RunAsync("apply -f -", Application("waves", repo.Url, "waves", """
                automated: {}
                syncOptions: [CreateNamespace=true]
            """))).Ok();
        Assert.Equal(0, (await fx.McgAsync("app", "wait", "waves", "--timeout", "60")).ExitCode);
        await kubelet.CancelAsync();
        await jobRunner;
        var results = (await AppAsync("waves"))["status"]!["operationState"]!["syncResult"]!["resources"]!.AsArray()
            .Select(r => $"{r!["kind"]}/{r["name"]}").ToList();
        Assert.Equal(["Job/migrate", "ConfigMap/early", "ConfigMap/middle", "ConfigMap/late"], results);
        var created = new List<DateTime>();
        foreach (var n in new[] { "early", "middle", "late" })
        {
            created.Add(DateTime.Parse((await ConfigMapAsync("waves", n))!["metadata"]!["creationTimestamp"]!.GetValue<string>()));
        }
        Assert.Equal(created.Order(), created);
    }

    [Fact]
    public async Task ManualSyncHistoryAndRollback()
    {
        using var repo = new GitRepo();
        repo.Write("app/cm.yaml", ConfigMap("release", "{version: one}"));
        var first = repo.Commit("v1");
        (await fx.Kubectl.RunAsync("create namespace manual")).Ok();
        (await fx.Kubectl.RunAsync("apply -f -", Application("manual", repo.Url, "manual", "    syncOptions: []"))).Ok();
        await EventuallyAsync(async () => (await AppAsync("manual"))["status"]?["sync"]?["status"]?.GetValue<string>() == "OutOfSync", "compared");
        Assert.Null(await ConfigMapAsync("manual", "release"));

        var sync = await fx.McgAsync("app", "sync", "manual", "--timeout", "60");
        Assert.True(sync.ExitCode == 0, sync.Out + sync.Err);
        Assert.Contains("Succeeded", sync.Out);
        repo.Write("app/cm.yaml", ConfigMap("release", "{version: two}"));
        var second = repo.Commit("v2");
        Assert.Equal(200, await PushWebhookAsync(repo.Url, "main", second));
        await EventuallyAsync(async () => (await AppAsync("manual"))["status"]?["sync"]?["revision"]?.GetValue<string>() == second, "v2 seen");
        Assert.Equal(0, (await fx.McgAsync("app", "sync", "manual", "--timeout", "60")).ExitCode);
        Assert.Equal("two", (await ConfigMapAsync("manual", "release"))!["data"]!["version"]!.GetValue<string>());

        var history = await fx.McgAsync("app", "history", "manual");
        Assert.Contains(first[..7], history.Out);
        Assert.Contains(second[..7], history.Out);
        var rollback = await fx.McgAsync("app", "rollback", "manual", "0", "--timeout", "60");
        Assert.True(rollback.ExitCode == 0, rollback.Out + rollback.Err);
        Assert.Equal("one", (await ConfigMapAsync("manual", "release"))!["data"]!["version"]!.GetValue<string>());
        var app = await AppAsync("manual");
        Assert.Equal(first, app["status"]!["operationState"]!["syncResult"]!["revision"]!.GetValue<string>());
        Assert.Equal("OutOfSync", app["status"]!["sync"]!["status"]!.GetValue<string>()); // Git HEAD is still v2

        var diff = await fx.McgAsync("app", "diff", "manual");
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("version: two", diff.Out);
    }

    [Fact]
    public async Task ProjectRestrictionsAreEnforcedWithConditions()
    {
        using var repo = new GitRepo();
        repo.Write("app/cm.yaml", ConfigMap("allowed", "{a: b}"));
        repo.Write("app/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: forbidden\nstringData: {k: v}\n");
        repo.Commit("restricted");
        (await fx.Kubectl.RunAsync("apply -f -", $$"""
            apiVersion: argoproj.io/v1alpha1
            kind: AppProject
            metadata: {name: restricted, namespace: argocd}
            spec:
              sourceRepos: ['{{repo.Url}}']
              destinations: [{server: 'https://kubernetes.default.svc', namespace: 'team-*'}]
              namespaceResourceBlacklist: [{group: '', kind: Secret}]
            """)).Ok();
        (await fx.Kubectl.RunAsync("create namespace team-a")).Ok();
        (await fx.Kubectl.RunAsync("apply -f -", Application("outsider", repo.Url, "other", "    automated: {}").Replace("project: default", "project: restricted"))).Ok();
        (await fx.Kubectl.RunAsync("apply -f -", Application("team", repo.Url, "team-a", "    automated: {}").Replace("project: default", "project: restricted"))).Ok();

        await EventuallyAsync(async () => Condition(await AppAsync("outsider"), "InvalidSpecError") is not null, "InvalidSpecError");
        Assert.Contains("is not permitted in project 'restricted'", Condition(await AppAsync("outsider"), "InvalidSpecError"));
        await EventuallyAsync(async () => Condition(await AppAsync("team"), "ComparisonError") is not null, "ComparisonError");
        Assert.Equal("resource Secret is not permitted in project restricted.", Condition(await AppAsync("team"), "ComparisonError"));
        await Task.Delay(1000);
        Assert.Null(await ConfigMapAsync("team-a", "allowed")); // nothing synced while the project forbids part of the app
    }

    [Fact]
    public async Task AnObjectTheServerRejectsMeansNothingIsApplied()
    {
        using var repo = new GitRepo();
        repo.Write("app/good.yaml", ConfigMap("good", "{a: b}"));
        repo.Write("app/bad.yaml", ConfigMap("Bad_Name", "{a: b}"));
        repo.Commit("one bad object");
        (await fx.Kubectl.RunAsync("apply -f -", Application("rejecting", repo.Url, "rejecting", """
                automated: {}
                syncOptions: [CreateNamespace=true]
            """))).Ok();
        await EventuallyAsync(async () => Condition(await AppAsync("rejecting"), "SyncError") is not null, "SyncError");
        var app = await AppAsync("rejecting");
        Assert.Equal("Failed", app["status"]!["operationState"]!["phase"]!.GetValue<string>());
        Assert.Contains("Bad_Name", Condition(app, "SyncError"));
        Assert.Null(await ConfigMapAsync("rejecting", "good"));
    }

    [Fact]
    public async Task ARunningOperationCanBeTerminated()
    {
        using var repo = new GitRepo();
        repo.Write("app/hook.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: never-ends
              annotations: {argocd.argoproj.io/hook: PreSync}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: wait, image: busybox}]
            """);
        repo.Write("app/cm.yaml", ConfigMap("after-hook", "{a: b}"));
        repo.Commit("a hook nobody completes");
        (await fx.Kubectl.RunAsync("create namespace stuck")).Ok();
        (await fx.Kubectl.RunAsync("apply -f -", Application("stuck", repo.Url, "stuck", "    syncOptions: []"))).Ok();
        await EventuallyAsync(async () => (await AppAsync("stuck"))["status"]?["sync"] is not null, "compared");
        Assert.Equal(0, (await fx.McgAsync("app", "sync", "stuck", "--async")).ExitCode);
        await EventuallyAsync(async () => (await AppAsync("stuck"))["status"]?["operationState"]?["phase"]?.GetValue<string>() == "Running", "running");
        Assert.Equal(0, (await fx.McgAsync("app", "terminate-op", "stuck")).ExitCode);
        await EventuallyAsync(async () => (await AppAsync("stuck"))["status"]?["operationState"]?["phase"]?.GetValue<string>() == "Failed", "terminated");
        Assert.Equal("Operation terminated", (await AppAsync("stuck"))["status"]!["operationState"]!["message"]!.GetValue<string>());
        Assert.Null(await ConfigMapAsync("stuck", "after-hook"));
    }

    private static string? Condition(JsonObject app, string type) =>
        (app["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["message"]?.GetValue<string>();

    /// <summary>Plays the job controller a virtual cluster lacks: every Job in the namespace completes.</summary>
    private async Task CompleteJobsAsync(string ns, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var list = await fx.Kubectl.RunAsync($"-n {ns} get jobs -o json");
            if (list.ExitCode == 0)
            {
                foreach (var job in JsonNode.Parse(list.Out)!["items"]!.AsArray())
                {
                    if (job!["status"]?["succeeded"] is null)
                    {
                        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
                        await fx.Kubectl.RunAsync($$$"""-n {{{ns}}} patch job {{{job["metadata"]!["name"]}}} --subresource=status --type merge -p '{"status":{"succeeded":1,"startTime":"{{{now}}}","completionTime":"{{{now}}}","conditions":[{"type":"Complete","status":"True","lastTransitionTime":"{{{now}}}"}]}}'""");
                    }
                }
            }
            try
            {
                await Task.Delay(300, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends a signed GitHub push event for <paramref name="repoUrl"/> to the controller's webhook.</summary>
    private async Task<int> PushWebhookAsync(string repoUrl, string branch, string after)
    {
        var body = new JsonObject
        {
            ["ref"] = $"refs/heads/{branch}",
            ["after"] = after,
            ["repository"] = new JsonObject { ["html_url"] = repoUrl, ["clone_url"] = repoUrl, ["default_branch"] = "main" },
            ["commits"] = new JsonArray(),
        }.ToJsonString();
        var signature = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitOpsFixture.WebhookSecret), Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fx.WebhookUrl) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-Hub-Signature-256", signature);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
