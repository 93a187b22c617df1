using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>Namespace deletion as the namespace controller and the NamespaceLifecycle admission plugin do it.</summary>
public sealed class NamespaceDeletionConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task NamespaceObjectIsReadWrittenAndDeletedByName()
    {
        (await _kubectl.RunAsync("create namespace byname")).Ok();
        var ns = (await _http.GetAsync("/api/v1/namespaces/byname")).Expect(200);
        Assert.Equal("Namespace", ns["kind"]!.GetValue<string>());
        Assert.Equal("Active", ns["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(["kubernetes"], ns["spec"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("byname", ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        Assert.Null(ns["metadata"]!["namespace"]);

        (await _kubectl.RunAsync("label namespace byname team=blue")).Ok();
        (await _kubectl.RunAsync("annotate namespace byname owner=me")).Ok();
        var table = (await _kubectl.RunAsync("get namespace byname")).Ok().Out;
        Assert.Matches(@"byname\s+Active", table);
        var json = (JsonObject)JsonNode.Parse((await _kubectl.RunAsync("get namespace byname -o json")).Ok().Out)!;
        Assert.Equal("blue", json["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.Equal("me", json["metadata"]!["annotations"]!["owner"]!.GetValue<string>());
        // A cluster-scoped kind under a namespace path does not exist.
        (await _http.GetAsync("/api/v1/namespaces/byname/nodes")).Expect(404);

        (await _kubectl.RunAsync("delete namespace byname")).Ok();
        (await _http.GetAsync("/api/v1/namespaces/byname")).Expect(404);
    }

    [Fact]
    public async Task DeletingANamespaceEmptiesItWhileTerminating()
    {
        const string ns = "doomed";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create configmap a --from-literal=k=v")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create secret generic s --from-literal=k=v")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create deployment web --image=nginx")).Ok();
        (await _kubectl.RunAsync("apply -f -", $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: held, namespace: {{ns}}, finalizers: [example.com/hold]}
            """)).Ok();

        var deleted = (await _http.DeleteAsync($"/api/v1/namespaces/{ns}")).Expect(200);
        Assert.Equal("Namespace", deleted["kind"]!.GetValue<string>());
        Assert.Equal("Terminating", deleted["status"]!["phase"]!.GetValue<string>());
        Assert.NotNull(deleted["metadata"]!["deletionTimestamp"]);

        // The contents go; the finalized one stays, marked, and keeps the namespace Terminating.
        await Eventually.TrueAsync(async () => (await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/a")).Code == 404
            && (await _http.GetAsync($"/api/v1/namespaces/{ns}/secrets/s")).Code == 404
            && (await _http.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web")).Code == 404, "the namespace's contents are deleted");
        var held = (await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/held")).Expect(200);
        Assert.NotNull(held["metadata"]!["deletionTimestamp"]);
        await Task.Delay(300);
        var terminating = (await _http.GetAsync($"/api/v1/namespaces/{ns}")).Expect(200);
        Assert.Equal("Terminating", terminating["status"]!["phase"]!.GetValue<string>());
        Assert.Matches($@"{ns}\s+Terminating", (await _kubectl.RunAsync($"get namespace {ns}")).Ok().Out);
        Assert.Matches($@"{ns}\s+Terminating", (await _kubectl.RunAsync("get namespaces")).Ok().Out);
        Assert.Null(terminating["metadata"]!["deletionGracePeriodSeconds"]);
        // The namespace controller's conditions say what it waits for (kubectl describe shows them).
        var conditions = terminating["status"]!["conditions"]!.AsArray().OfType<JsonObject>().ToDictionary(c => c["type"]!.GetValue<string>());
        Assert.Equal(
            ["NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining"],
            conditions.Keys);
        Assert.Equal("False", conditions["NamespaceDeletionContentFailure"]["status"]!.GetValue<string>());
        Assert.Equal("True", conditions["NamespaceContentRemaining"]["status"]!.GetValue<string>());
        Assert.Equal("SomeResourcesRemain", conditions["NamespaceContentRemaining"]["reason"]!.GetValue<string>());
        Assert.Equal("Some resources are remaining: configmaps. has 1 resource instances", conditions["NamespaceContentRemaining"]["message"]!.GetValue<string>());
        Assert.Equal("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
            conditions["NamespaceFinalizersRemaining"]["message"]!.GetValue<string>());
        var described = (await _kubectl.RunAsync($"describe namespace {ns}")).Ok().Out;
        Assert.Contains("Status:       Terminating", described);
        Assert.Contains("NamespaceFinalizersRemaining", described);
        // The conditions settle: nothing rewrites the namespace while it waits.
        var rv = terminating["metadata"]!["resourceVersion"]!.GetValue<string>();
        await Task.Delay(500);
        Assert.Equal(rv, (await _http.GetAsync($"/api/v1/namespaces/{ns}")).Expect(200)["metadata"]!["resourceVersion"]!.GetValue<string>());

        // Nothing new may be created there (NamespaceLifecycle admission).
        var forbidden = await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}""");
        var status = forbidden.Expect(403);
        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", status["message"]!.GetValue<string>());
        Assert.Equal("late", status["details"]!["name"]!.GetValue<string>());
        Assert.Equal("configmaps", status["details"]!["kind"]!.GetValue<string>());
        var viaKubectl = await _kubectl.RunAsync($"-n {ns} create deployment late --image=nginx");
        Assert.NotEqual(0, viaKubectl.ExitCode);
        Assert.Contains($"deployments.apps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", viaKubectl.Err);
        // Updating what is still there is allowed: that is how its finalizer goes.
        (await _kubectl.RunAsync($"-n {ns} patch configmap held --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'")).Ok();
        await Eventually.TrueAsync(async () => (await _http.GetAsync($"/api/v1/namespaces/{ns}")).Code == 404, "the emptied namespace is removed");
        Assert.Contains("NotFound", (await _kubectl.RunAsync($"-n {ns} get configmap held")).Err);
    }

    [Fact]
    public async Task KubectlDeleteNamespaceReturnsWhenItIsGone()
    {
        (await _kubectl.RunAsync("create namespace waited")).Ok();
        for (var i = 0; i < 5; i++)
        {
            (await _kubectl.RunAsync($"-n waited create configmap c{i}")).Ok();
        }
        (await _kubectl.RunAsync("-n waited create serviceaccount robot")).Ok();

        var result = (await _kubectl.RunAsync("delete namespace waited", timeout: TimeSpan.FromSeconds(60))).Ok();
        Assert.Contains("namespace \"waited\" deleted", result.Out);
        var after = await _kubectl.RunAsync("get namespace waited");
        Assert.NotEqual(0, after.ExitCode);
        Assert.Contains("namespaces \"waited\" not found", after.Err);
        (await _http.GetAsync("/api/v1/namespaces/waited/configmaps/c0")).Expect(404);
        // A namespace of the same name can be made again, empty.
        (await _kubectl.RunAsync("create namespace waited")).Ok();
        Assert.Equal("", (await _kubectl.RunAsync("-n waited get configmaps -o name")).Ok().Out.Trim());
    }

    [Fact]
    public async Task SystemNamespacesCannotBeDeleted()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public" })
        {
            var status = (await _http.DeleteAsync($"/api/v1/namespaces/{ns}")).Expect(403);
            Assert.Equal($"namespaces \"{ns}\" is forbidden: this namespace may not be deleted", status["message"]!.GetValue<string>());
            Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        }
        var kubectl = await _kubectl.RunAsync("delete namespace default");
        Assert.NotEqual(0, kubectl.ExitCode);
        Assert.Contains("this namespace may not be deleted", kubectl.Err);
        Assert.Equal("Active", (await _http.GetAsync("/api/v1/namespaces/default")).Expect(200)["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreatingInAMissingNamespaceIsNotFound()
    {
        var missing = await _http.PostAsync("/api/v1/namespaces/nowhere/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""");
        var status = missing.Expect(404);
        Assert.Equal("namespaces \"nowhere\" not found", status["message"]!.GetValue<string>());
    }
}
