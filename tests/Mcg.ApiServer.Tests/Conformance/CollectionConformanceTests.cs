using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>generateName, deleting collections, and list paging (limit/continue) as kubectl and informers use them.</summary>
public sealed class CollectionConformanceTests(ShortHistoryServerFixture fixture) : IClassFixture<ShortHistoryServerFixture>
{
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task GenerateNameGivesEachCreateAFreshName()
    {
        const string ns = "generated";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        const string manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {generateName: job-, namespace: generated}
            data: {a: b}
            """;
        var first = (await _kubectl.RunAsync("create -f - -o name", manifest)).Ok().Out.Trim();
        var second = (await _kubectl.RunAsync("create -f - -o name", manifest)).Ok().Out.Trim();
        Assert.Matches("^configmap/job-[a-z0-9]{5}$", first);
        Assert.Matches("^configmap/job-[a-z0-9]{5}$", second);
        Assert.NotEqual(first, second);
        var obj = (await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/{first["configmap/".Length..]}")).Expect(200);
        Assert.Equal("job-", obj["metadata"]!["generateName"]!.GetValue<string>());

        // A name given alongside wins; apply refuses generateName (kubectl's own check).
        var named = (await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fixed","generateName":"job-"}}""")).Expect(201);
        Assert.Equal("fixed", named["metadata"]!["name"]!.GetValue<string>());
        var apply = await _kubectl.RunAsync("apply -f -", manifest);
        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("cannot use generate name with apply", apply.Err);
        // A dry run names the object but stores nothing.
        var dry = (await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps?dryRun=All", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"dry-"}}""")).Expect(201);
        Assert.Matches("^dry-[a-z0-9]{5}$", dry["metadata"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain("dry-", (await _kubectl.RunAsync($"-n {ns} get configmaps -o name")).Ok().Out);
        Assert.Equal(3, Regex.Matches((await _kubectl.RunAsync($"-n {ns} get configmaps -o name")).Ok().Out, "configmap/").Count);
    }

    [Fact]
    public async Task DeleteCollections()
    {
        const string ns = "collections";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        for (var i = 0; i < 4; i++)
        {
            (await _kubectl.RunAsync($"-n {ns} create configmap keep-{i}")).Ok();
            (await _kubectl.RunAsync($"-n {ns} create configmap drop-{i}")).Ok();
            (await _kubectl.RunAsync($"-n {ns} label configmap drop-{i} doomed=yes")).Ok();
        }
        (await _kubectl.RunAsync("create namespace bystanders")).Ok();
        (await _kubectl.RunAsync("-n bystanders create configmap safe")).Ok();

        // DELETE on the collection with a selector removes exactly the selected objects and answers with them.
        var deleted = (await _http.DeleteAsync($"/api/v1/namespaces/{ns}/configmaps?labelSelector=doomed%3Dyes")).Expect(200);
        Assert.Equal("ConfigMapList", deleted["kind"]!.GetValue<string>());
        Assert.Equal(["drop-0", "drop-1", "drop-2", "drop-3"], deleted["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order());
        Assert.Equal(["configmap/keep-0", "configmap/keep-1", "configmap/keep-2", "configmap/keep-3"],
            (await _kubectl.RunAsync($"-n {ns} get configmaps -o name")).Ok().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // kubectl delete --all: lists, then deletes each; other namespaces are untouched.
        var all = (await _kubectl.RunAsync($"-n {ns} delete configmaps --all")).Ok().Out;
        Assert.Equal(4, Regex.Matches(all, "configmap \"keep-\\d\" deleted").Count);
        Assert.Equal("", (await _kubectl.RunAsync($"-n {ns} get configmaps -o name")).Ok().Out.Trim());
        (await _http.GetAsync("/api/v1/namespaces/bystanders/configmaps/safe")).Expect(200);
        // deletecollection is a verb of its own: a plain list of a collection still works after.
        Assert.Empty((await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps")).Expect(200)["items"]!.AsArray());
    }

    [Fact]
    public async Task KubectlChunkSizePagesThroughTheList()
    {
        const string ns = "paged";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        for (var i = 0; i < 5; i++)
        {
            (await _kubectl.RunAsync($"-n {ns} create configmap cm-{i}")).Ok();
        }
        var result = (await _kubectl.RunAsync($"-n {ns} get configmaps --chunk-size=2 -o name -v=6")).Ok();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"configmap/cm-{i}"), result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Single(Regex.Matches(result.Err, @"GET https://\S+/api/v1/namespaces/paged/configmaps\?limit=2 200"));
        Assert.Equal(2, Regex.Matches(result.Err, @"GET https://\S+/api/v1/namespaces/paged/configmaps\?continue=\S+&limit=2 200").Count);
        var table = (await _kubectl.RunAsync($"-n {ns} get configmaps --chunk-size=2")).Ok().Out;
        Assert.Single(Regex.Matches(table, "NAME"));
        Assert.Equal(5, Regex.Matches(table, "cm-\\d").Count);
    }

    [Fact]
    public async Task PagesShareTheFirstPagesResourceVersion()
    {
        const string ns = "paged-consistent";
        const string path = $"/api/v1/namespaces/{ns}/configmaps";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        for (var i = 0; i < 4; i++)
        {
            (await _kubectl.RunAsync($"-n {ns} create configmap cm-{i}")).Ok();
        }
        var first = (await _http.GetAsync($"{path}?limit=2")).Expect(200);
        var rv = first["metadata"]!["resourceVersion"]!.GetValue<string>();
        var token = first["metadata"]!["continue"]!.GetValue<string>();
        Assert.Equal(["cm-0", "cm-1"], Names(first));

        // cm-0 (already read) changes between the pages.
        (await _http.PatchAsync($"{path}/cm-0", """{"data":{"changed":"yes"}}""")).Expect(200);
        var second = (await _http.GetAsync($"{path}?limit=2&continue={Uri.EscapeDataString(token)}")).Expect(200);
        Assert.Equal(["cm-2", "cm-3"], Names(second));
        Assert.Null(second["metadata"]!["continue"]);
        // The list's resourceVersion is the snapshot's, so a watch from it (what an informer does next) sees the change.
        Assert.Equal(rv, second["metadata"]!["resourceVersion"]!.GetValue<string>());
        await using var watch = await _http.WatchAsync($"{path}?resourceVersion={rv}");
        var (type, obj) = await watch.ExpectAsync();
        Assert.Equal("MODIFIED", type);
        Assert.Equal("cm-0", obj["metadata"]!["name"]!.GetValue<string>());

        // Once the history no longer reaches the snapshot, the token has expired.
        for (var i = 0; i < ShortHistoryServerFixture.History + 2; i++)
        {
            (await _http.PatchAsync($"{path}/cm-1", $$$"""{"data":{"n":"{{{i}}}"}}""")).Expect(200);
        }
        var expired = (await _http.GetAsync($"{path}?limit=2&continue={Uri.EscapeDataString(token)}")).Expect(410);
        Assert.Equal("Expired", expired["reason"]!.GetValue<string>());
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", expired["message"]!.GetValue<string>());
        Assert.Equal("BadRequest", (await _http.GetAsync($"{path}?limit=2&continue=not-a-token")).Expect(400)["reason"]!.GetValue<string>());
    }

    private static List<string> Names(JsonObject list) => list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();
}
