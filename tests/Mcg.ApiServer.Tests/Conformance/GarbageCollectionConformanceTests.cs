using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>
/// ownerReferences garbage collection as kube-controller-manager's garbage collector does it: background, foreground
/// (blockOwnerDeletion), orphan, several owners, dangling references, and kubectl's <c>--cascade</c> paths.
/// </summary>
public sealed class GarbageCollectionConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task BackgroundDeletesDependentsAfterTheOwner()
    {
        const string ns = "gc-background";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "dep-a", owners: [Ref(owner)]);
        await CreateConfigMapAsync(ns, "dep-b", owners: [Ref(owner, block: true)]);
        // A dependent of another kind, and a grandchild.
        var rs = (await _http.PostAsync($"/apis/apps/v1/namespaces/{ns}/replicasets", ReplicaSet("rs", [Ref(owner)]))).Expect(201);
        await CreateConfigMapAsync(ns, "grandchild", owners: [Ref(rs)]);
        await CreateConfigMapAsync(ns, "bystander");

        Assert.Contains("configmap \"owner\" deleted", (await _kubectl.RunAsync($"-n {ns} delete cm owner")).Ok().Out);
        // Background: the owner is gone at once, its dependents follow.
        (await _http.GetAsync(CmPath(ns, "owner"))).Expect(404);
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "dep-a"))).Code == 404
            && (await _http.GetAsync(CmPath(ns, "dep-b"))).Code == 404
            && (await _http.GetAsync($"/apis/apps/v1/namespaces/{ns}/replicasets/rs")).Code == 404
            && (await _http.GetAsync(CmPath(ns, "grandchild"))).Code == 404, "every dependent is collected");
        (await _http.GetAsync(CmPath(ns, "bystander"))).Expect(200);
    }

    [Fact]
    public async Task ForegroundKeepsTheOwnerUntilBlockingDependentsAreGone()
    {
        const string ns = "gc-foreground";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "blocker", owners: [Ref(owner, block: true)], finalizers: ["example.com/hold"]);
        await CreateConfigMapAsync(ns, "plain", owners: [Ref(owner, block: true)]);

        var deleted = (await _http.DeleteAsync(CmPath(ns, "owner"), """{"propagationPolicy":"Foreground"}""")).Expect(200);
        Assert.Equal("ConfigMap", deleted["kind"]!.GetValue<string>());
        Assert.NotNull(deleted["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["foregroundDeletion"], Finalizers(deleted));

        // The dependents are deleted; the owner waits, marked, behind its foregroundDeletion finalizer.
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "plain"))).Code == 404, "the plain dependent is gone");
        var blocker = (await _http.GetAsync(CmPath(ns, "blocker"))).Expect(200);
        Assert.NotNull(blocker["metadata"]!["deletionTimestamp"]);
        await Task.Delay(500);
        var waiting = (await _http.GetAsync(CmPath(ns, "owner"))).Expect(200);
        Assert.NotNull(waiting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["foregroundDeletion"], Finalizers(waiting));

        // The last blocking dependent goes: so does the owner.
        (await _http.PatchAsync(CmPath(ns, "blocker"), """{"metadata":{"finalizers":null}}""")).Expect(200);
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "owner"))).Code == 404, "the owner is gone");
    }

    [Fact]
    public async Task ForegroundDoesNotWaitForDependentsWithoutBlockOwnerDeletion()
    {
        const string ns = "gc-nonblocking";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "lingering", owners: [Ref(owner, block: false)], finalizers: ["example.com/hold"]);

        // kubectl waits for the owner to disappear: it must not hang on a dependent that does not block.
        (await _kubectl.RunAsync($"-n {ns} delete cm owner --cascade=foreground --timeout=20s")).Ok();
        (await _http.GetAsync(CmPath(ns, "owner"))).Expect(404);
        // The dependent was deleted too, and waits for its own finalizer.
        var lingering = (await _http.GetAsync(CmPath(ns, "lingering"))).Expect(200);
        Assert.NotNull(lingering["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["example.com/hold"], Finalizers(lingering));
        (await _http.PatchAsync(CmPath(ns, "lingering"), """{"metadata":{"finalizers":null}}""")).Expect(200);
        (await _http.GetAsync(CmPath(ns, "lingering"))).Expect(404);
    }

    [Fact]
    public async Task KubectlCascadeForegroundReturnsOnceOwnerAndDependentsAreGone()
    {
        const string ns = "gc-kubectl-fg";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "dep-1", owners: [Ref(owner, block: true)]);
        await CreateConfigMapAsync(ns, "dep-2", owners: [Ref(owner, block: true)]);

        var result = (await _kubectl.RunAsync($"-n {ns} delete cm owner --cascade=foreground")).Ok();
        Assert.Contains("configmap \"owner\" deleted", result.Out);
        // Foreground: by the time the owner is gone, its blocking dependents are too.
        (await _http.GetAsync(CmPath(ns, "owner"))).Expect(404);
        (await _http.GetAsync(CmPath(ns, "dep-1"))).Expect(404);
        (await _http.GetAsync(CmPath(ns, "dep-2"))).Expect(404);
    }

    [Fact]
    public async Task OrphanKeepsDependentsAndDropsTheirReference()
    {
        const string ns = "gc-orphan";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        var other = await CreateConfigMapAsync(ns, "other-owner");
        await CreateConfigMapAsync(ns, "orphan-1", owners: [Ref(owner)]);
        await CreateConfigMapAsync(ns, "orphan-2", owners: [Ref(owner), Ref(other)]);

        (await _kubectl.RunAsync($"-n {ns} delete cm owner --cascade=orphan")).Ok();
        (await _http.GetAsync(CmPath(ns, "owner"))).Expect(404);
        var first = (await _http.GetAsync(CmPath(ns, "orphan-1"))).Expect(200);
        Assert.Null(first["metadata"]!["ownerReferences"]);
        Assert.Null(first["metadata"]!["deletionTimestamp"]);
        var second = (await _http.GetAsync(CmPath(ns, "orphan-2"))).Expect(200);
        Assert.Equal(["other-owner"], second["metadata"]!["ownerReferences"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task OrphanViaDeleteOptionsMarksTheOwnerWithTheOrphanFinalizerFirst()
    {
        const string ns = "gc-orphan-http";
        await CreateNamespaceAsync(ns);
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "kept", owners: [Ref(owner)]);

        var deleted = (await _http.DeleteAsync(CmPath(ns, "owner"), """{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"}""")).Expect(200);
        Assert.Equal(["orphan"], Finalizers(deleted));
        Assert.NotNull(deleted["metadata"]!["deletionTimestamp"]);
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "owner"))).Code == 404, "the owner is gone");
        var kept = (await _http.GetAsync(CmPath(ns, "kept"))).Expect(200);
        Assert.Null(kept["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task DependentWithAnotherLiveOwnerSurvives()
    {
        const string ns = "gc-two-owners";
        await CreateNamespaceAsync(ns);
        var first = await CreateConfigMapAsync(ns, "first");
        var second = await CreateConfigMapAsync(ns, "second");
        await CreateConfigMapAsync(ns, "shared", owners: [Ref(first), Ref(second)]);

        (await _kubectl.RunAsync($"-n {ns} delete cm first")).Ok();
        await Eventually.TrueAsync(async () =>
        {
            var shared = (await _http.GetAsync(CmPath(ns, "shared"))).Expect(200);
            return shared["metadata"]!["ownerReferences"]!.AsArray().Count == 1;
        }, "the dangling reference is dropped");
        var survivor = (await _http.GetAsync(CmPath(ns, "shared"))).Expect(200);
        Assert.Equal("second", survivor["metadata"]!["ownerReferences"]![0]!["name"]!.GetValue<string>());
        Assert.Null(survivor["metadata"]!["deletionTimestamp"]);

        // Its last owner goes: so does it.
        (await _kubectl.RunAsync($"-n {ns} delete cm second")).Ok();
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "shared"))).Code == 404, "the shared dependent is collected");
    }

    [Fact]
    public async Task DependentWhoseOwnersDoNotExistIsCollected()
    {
        const string ns = "gc-dangling";
        await CreateNamespaceAsync(ns);
        var live = await CreateConfigMapAsync(ns, "live");
        var ghost = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "ghost", ["uid"] = Guid.NewGuid().ToString() };
        await CreateConfigMapAsync(ns, "dangling", owners: [(JsonObject)ghost.DeepClone()]);
        await CreateConfigMapAsync(ns, "half", owners: [(JsonObject)ghost.DeepClone(), Ref(live)]);

        // An owner that does not exist is an absent owner: the dependent goes, or loses that reference if another owner lives.
        await Eventually.TrueAsync(async () => (await _http.GetAsync(CmPath(ns, "dangling"))).Code == 404, "the dependent of a missing owner is collected");
        await Eventually.TrueAsync(async () =>
            (await _http.GetAsync(CmPath(ns, "half"))).Expect(200)["metadata"]!["ownerReferences"]!.AsArray().Count == 1, "the dangling reference is dropped");
    }

    [Fact]
    public async Task DependentsChangingWhileCollectedAreStillCollected()
    {
        const string ns = "gc-busy";
        await CreateNamespaceAsync(ns);
        for (var round = 0; round < 3; round++)
        {
            var owner = await CreateConfigMapAsync(ns, $"owner-{round}");
            var names = Enumerable.Range(0, 10).Select(i => $"dep-{round}-{i}").ToList();
            foreach (var name in names)
            {
                await CreateConfigMapAsync(ns, name, owners: [Ref(owner)]);
            }
            // Writers keep changing the dependents while the collector deletes them.
            using var stop = new CancellationTokenSource();
            var writers = names.Select(name => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 200; i++)
                {
                    if ((await _http.PatchAsync(CmPath(ns, name), $$$"""{"data":{"n":"{{{i}}}"}}""")).Code == 404)
                    {
                        return;
                    }
                }
            })).ToList();
            await Task.Delay(50);
            (await _http.DeleteAsync(CmPath(ns, $"owner-{round}"))).Expect(200);
            await Eventually.TrueAsync(async () =>
            {
                foreach (var name in names)
                {
                    if ((await _http.GetAsync(CmPath(ns, name))).Code != 404)
                    {
                        return false;
                    }
                }
                return true;
            }, "every dependent is collected");
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
    }

    [Fact]
    public async Task CollectionResumesAfterARestart()
    {
        // What the collector had not done yet when the server stopped is done when it starts again.
        await using var server = await ServerProcess.StartAsync();
        const string ns = "gc-restart";
        using (var http = new ApiHttp(server))
        {
            (await http.PostAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""")).Expect(201);
            foreach (var name in new[] { "gone-owner", "waiting-owner" })
            {
                var owner = (await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"}}""")).Expect(201);
                var dependent = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = name + "-dep", ["ownerReferences"] = new JsonArray(Ref(owner, block: true)) },
                };
                (await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", dependent.ToJsonString())).Expect(201);
            }
        }

        await server.RestartAsync(kill: true, whileStopped: () =>
        {
            // Behind the server's back: one owner vanishes, the other is left waiting in foreground deletion on a
            // dependent that is already gone.
            using var store = new Mcg.ApiServer.Storage.ObjectStore(Path.Combine(server.DataDir, "state.db"));
            var gone = store.Get("/configmaps", ns, "gone-owner")!;
            store.Delete("/configmaps", ns, "gone-owner", gone.ResourceVersion);
            var waiting = store.Get("/configmaps", ns, "waiting-owner")!.Clone();
            waiting["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
            waiting["metadata"]!["finalizers"] = new JsonArray("foregroundDeletion");
            store.Put("/configmaps", waiting, null);
            var dep = store.Get("/configmaps", ns, "waiting-owner-dep")!;
            store.Delete("/configmaps", ns, "waiting-owner-dep", dep.ResourceVersion);
            return Task.CompletedTask;
        });

        using var after = new ApiHttp(server);
        await Eventually.TrueAsync(async () => (await after.GetAsync(CmPath(ns, "gone-owner-dep"))).Code == 404, "the dependent of the vanished owner is collected");
        await Eventually.TrueAsync(async () => (await after.GetAsync(CmPath(ns, "waiting-owner"))).Code == 404, "the foreground owner finishes deleting");
    }

    private static string CmPath(string ns, string name) => $"/api/v1/namespaces/{ns}/configmaps/{name}";

    private static IEnumerable<string> Finalizers(JsonObject obj) =>
        obj["metadata"]!["finalizers"]?.AsArray().Select(f => f!.GetValue<string>()) ?? [];

    private async Task CreateNamespaceAsync(string ns) =>
        (await _http.PostAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""")).Expect(201);

    private async Task<JsonObject> CreateConfigMapAsync(string ns, string name, JsonObject[]? owners = null, string[]? finalizers = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (owners is not null)
        {
            metadata["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode)o).ToArray());
        }
        if (finalizers is not null)
        {
            metadata["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
        }
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata };
        return (await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", body.ToJsonString())).Expect(201);
    }

    private static JsonObject Ref(JsonObject owner, bool? block = null)
    {
        var r = new JsonObject
        {
            ["apiVersion"] = owner["apiVersion"]!.GetValue<string>(),
            ["kind"] = owner["kind"]!.GetValue<string>(),
            ["name"] = owner["metadata"]!["name"]!.GetValue<string>(),
            ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(),
        };
        if (block is not null)
        {
            r["blockOwnerDeletion"] = block.Value;
        }
        return r;
    }

    private static string ReplicaSet(string name, JsonObject[] owners) => new JsonObject
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "ReplicaSet",
        ["metadata"] = new JsonObject { ["name"] = name, ["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode)o).ToArray()) },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 0,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
            },
        },
    }.ToJsonString();
}
