using System.Net;
using System.Net.Http.Headers;
using Mcg.EndToEnd.Tests.Support;
using Mcg.WebConsole.Tests.Support;

namespace Mcg.WebConsole.Tests;

/// <summary>The console's Sync, Refresh and Rollback actions, as the pages' script posts them, against a real hub.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleActionTests(ConsoleFixture fx)
{
    [Fact]
    public async Task SyncRefreshAndRollbackDoWhatArgoCdDoes()
    {
        using var repo = new GitRepo();
        repo.Write("app/settings.yaml", Settings("v1"));
        var first = repo.Commit("v1");
        (await fx.Hub.RunAsync("apply -f -", $$$"""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: rollback-demo, namespace: argocd}
            spec:
              project: default
              source: {repoURL: '{{{repo.Url}}}', targetRevision: main, path: app}
              destination: {name: in-cluster, namespace: console-rollback}
              syncPolicy:
                syncOptions: [CreateNamespace=true]
            """)).Ok();
        using var client = await fx.LoginAsync();
        await fx.WaitAsync(async () => await fx.AppSyncAsync("rollback-demo") == "OutOfSync", "rollback-demo is OutOfSync");

        await PostAsync(client, "sync", "Sync of rollback-demo requested");
        await WaitAsync(async () => await LiveModeAsync() == "v1" && await LastDeployedAsync() == first, "the sync deploys v1");

        var second = Commit(repo, "v2");
        await PostAsync(client, "refresh", "Refresh of rollback-demo requested");
        await fx.WaitAsync(async () => (await fx.GetJsonAsync("-n argocd app rollback-demo"))?["status"]?["sync"]?["revision"]?.ToString() == second,
            "the refresh compares with the new commit");
        Assert.Equal("OutOfSync", await fx.AppSyncAsync("rollback-demo"));
        await PostAsync(client, "sync", "Sync of rollback-demo requested");
        await WaitAsync(async () => await LiveModeAsync() == "v2" && await LastDeployedAsync() == second, "the sync deploys v2");

        await PostAsync(client, "rollback", "Rollback of rollback-demo to history 0 requested", ("id", "0"));
        await fx.WaitAsync(async () => await LiveModeAsync() == "v1"
            && (await fx.GetJsonAsync("-n argocd app rollback-demo"))?["status"]?["operationState"]?["syncResult"]?["revision"]?.ToString() == first,
            "the rollback brings back v1 from the first revision");
        var page = await client.GetStringAsync("/apps/argocd/rollback-demo");
        Assert.Contains(first[..7], page);
        Assert.Contains(second[..7], page);
    }

    private async Task PostAsync(HttpClient client, string verb, string message, params (string Key, string Value)[] fields)
    {
        var csrf = ConsoleHttpTests.Csrf(await client.GetStringAsync("/apps/argocd/rollback-demo"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/apps/argocd/rollback-demo/{verb}")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))),
        };
        request.Headers.Add("X-CSRF-Token", csrf);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{verb}: {(int)response.StatusCode} {body}");
        Assert.Contains(message, body);
    }

    /// <summary>Waits; on a timeout the message carries the Application as the hub has it.</summary>
    private async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        try
        {
            await fx.WaitAsync(condition, what, 60);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message[..Math.Min(e.Message.Length, 400)]}\napplication: {(await fx.GetJsonAsync("-n argocd app rollback-demo"))?.ToJsonString()}\nlive mode: {await LiveModeAsync()}");
        }
    }

    private async Task<string?> LiveModeAsync() =>
        (await fx.GetJsonAsync("-n console-rollback configmap settings"))?["data"]?["mode"]?.ToString();

    /// <summary>
    /// The revision of the newest history entry. (Not the entry count: the application controller has been seen to
    /// run one sync operation twice, recording two entries — a controller issue, not the console's.)
    /// </summary>
    private async Task<string?> LastDeployedAsync() =>
        ((await fx.GetJsonAsync("-n argocd app rollback-demo"))?["status"]?["history"] as System.Text.Json.Nodes.JsonArray)?.LastOrDefault()?["revision"]?.ToString();

    private static string Commit(GitRepo repo, string mode)
    {
        repo.Write("app/settings.yaml", Settings(mode));
        return repo.Commit(mode);
    }

    private static string Settings(string mode) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{mode: {mode}}}\n";
}
