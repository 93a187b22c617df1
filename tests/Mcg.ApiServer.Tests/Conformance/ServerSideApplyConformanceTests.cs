using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>Server-side apply through kubectl on a Deployment: ownership per manager, removal, and the upgrade from client-side apply.</summary>
public sealed class ServerSideApplyConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task TwoManagersOwnDifferentContainers()
    {
        const string ns = "ssa-two";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync("apply --server-side --field-manager=alice -f -", AliceDeployment(ns, "nginx:1"))).Ok();
        Assert.Contains("serverside-applied", (await _kubectl.RunAsync("apply --server-side --field-manager=bob -f -", BobDeployment(ns, "busybox:1"))).Ok().Out);

        var both = await GetAsync(ns);
        Assert.Equal(["app", "sidecar"], ContainerNames(both));
        Assert.Equal(2, both["metadata"]!["generation"]!.GetValue<long>());
        var alice = Manager(both, "alice");
        var bob = Manager(both, "bob");
        foreach (var entry in new[] { alice, bob })
        {
            Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
            Assert.Equal("apps/v1", entry["apiVersion"]!.GetValue<string>());
            Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", entry["time"]!.GetValue<string>());
            Assert.Null(entry["subresource"]);
        }
        Assert.Equal(
            """{"f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            alice["fieldsV1"]!.ToKubeJson());
        Assert.Equal(
            """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            bob["fieldsV1"]!.ToKubeJson());

        // Bob changing Alice's container conflicts (exit 1, kubectl's advice), and changes nothing.
        var conflict = await _kubectl.RunAsync("apply --server-side --field-manager=bob -f -", AliceDeployment(ns, "nginx:2"));
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"alice\": .spec.template.spec.containers[name=\"app\"].image", conflict.Err);
        Assert.Contains("--force-conflicts", conflict.Err);
        Assert.Equal("nginx:1", Image(await GetAsync(ns), "app"));

        // Each manager changes its own container freely.
        (await _kubectl.RunAsync("apply --server-side --field-manager=alice -f -", AliceDeployment(ns, "nginx:3"))).Ok();
        (await _kubectl.RunAsync("apply --server-side --field-manager=bob -f -", BobDeployment(ns, "busybox:2"))).Ok();
        var updated = await GetAsync(ns);
        Assert.Equal("nginx:3", Image(updated, "app"));
        Assert.Equal("busybox:2", Image(updated, "sidecar"));

        // Bob stops applying his container: it goes; Alice's stays. Bob owning nothing leaves no entry.
        (await _kubectl.RunAsync("apply --server-side --field-manager=bob -f -", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{{ns}}}}
            """)).Ok();
        var after = await GetAsync(ns);
        Assert.Equal(["app"], ContainerNames(after));
        Assert.DoesNotContain(ManagedFields(after), m => m["manager"]!.GetValue<string>() == "bob");

        // Forced, bob takes the image from alice.
        (await _kubectl.RunAsync("apply --server-side --field-manager=bob --force-conflicts -f -", AliceDeployment(ns, "nginx:4"))).Ok();
        var forced = await GetAsync(ns);
        Assert.Equal("nginx:4", Image(forced, "app"));
        Assert.DoesNotContain("f:image", Manager(forced, "alice")["fieldsV1"]!.ToKubeJson());
        Assert.Contains("f:image", Manager(forced, "bob")["fieldsV1"]!.ToKubeJson());
    }

    [Fact]
    public async Task SameValueIsCoOwnedAndSurvivesOneOwnerLettingGo()
    {
        const string ns = "ssa-coown";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync("apply --server-side --field-manager=alice -f -", AliceDeployment(ns, "nginx:1"))).Ok();
        // Same value: no conflict, both own it.
        (await _kubectl.RunAsync("apply --server-side --field-manager=bob -f -", AliceDeployment(ns, "nginx:1"))).Ok();
        var shared = await GetAsync(ns);
        Assert.Contains("f:image", Manager(shared, "alice")["fieldsV1"]!.ToKubeJson());
        Assert.Contains("f:image", Manager(shared, "bob")["fieldsV1"]!.ToKubeJson());

        // Alice drops the container from her configuration: bob still owns it, so it stays.
        (await _kubectl.RunAsync("apply --server-side --field-manager=alice -f -", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{{ns}}}}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
            """)).Ok();
        Assert.Equal("nginx:1", Image(await GetAsync(ns), "app"));
    }

    [Fact]
    public async Task ServerSideApplyTakesOverFromClientSideApply()
    {
        const string ns = "ssa-upgrade";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync("apply -f -", AliceDeployment(ns, "nginx:1"))).Ok();
        var csa = await GetAsync(ns);
        Assert.Equal("Update", Manager(csa, "kubectl-client-side-apply")["operation"]!.GetValue<string>());

        // kubectl apply --server-side (manager "kubectl") may change what the last-applied annotation recorded.
        var upgrade = await _kubectl.RunAsync("apply --server-side -f - -v=6", AliceDeployment(ns, "nginx:2"));
        Assert.True(upgrade.ExitCode == 0, upgrade.Err);
        Assert.Contains("deployment.apps/web serverside-applied", upgrade.Out);
        Assert.Contains("fieldManager=kubectl-last-applied", upgrade.Err);
        var ssa = await GetAsync(ns);
        Assert.Equal("nginx:2", Image(ssa, "app"));
        Assert.Equal("Apply", Manager(ssa, "kubectl")["operation"]!.GetValue<string>());
        Assert.Contains("f:image", Manager(ssa, "kubectl")["fieldsV1"]!.ToKubeJson());
        Assert.Equal("""{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}""",
            Manager(ssa, "kubectl-last-applied")["fieldsV1"]!.ToKubeJson());
        // The annotation follows what kubectl applied, so a later client-side apply computes its patch from it.
        var lastApplied = JsonNode.Parse(ssa["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>())!;
        Assert.Equal("nginx:2", lastApplied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        // kubectl moved the client-side apply manager's fields over to its server-side one.
        Assert.DoesNotContain(ManagedFields(ssa), m => m["manager"]!.GetValue<string>() == "kubectl-client-side-apply");

        // A manager other than kubectl gets no such allowance.
        var other = await _kubectl.RunAsync("apply --server-side --field-manager=someone -f -", AliceDeployment(ns, "nginx:9"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("conflict with \"kubectl\"", other.Err);

        // And back to client-side apply works.
        (await _kubectl.RunAsync("apply -f -", AliceDeployment(ns, "nginx:3"))).Ok();
        Assert.Equal("nginx:3", Image(await GetAsync(ns), "app"));
    }

    [Fact]
    public async Task ManagedFieldsRecordUpdatesPerManagerAndSubresource()
    {
        const string ns = "ssa-shapes";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create configmap cfg --from-literal=a=1")).Ok();
        (await _kubectl.RunAsync($"-n {ns} label configmap cfg team=blue")).Ok();
        var cm = (await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/cfg")).Expect(200);
        var create = Manager(cm, "kubectl-create");
        Assert.Equal("Update", create["operation"]!.GetValue<string>());
        Assert.Equal("v1", create["apiVersion"]!.GetValue<string>());
        Assert.Equal("""{"f:data":{".":{},"f:a":{}}}""", create["fieldsV1"]!.ToKubeJson());
        Assert.Equal("""{"f:metadata":{"f:labels":{".":{},"f:team":{}}}}""", Manager(cm, "kubectl-label")["fieldsV1"]!.ToKubeJson());
        // kubectl hides managedFields unless asked.
        Assert.DoesNotContain("managedFields", (await _kubectl.RunAsync($"-n {ns} get configmap cfg -o yaml")).Ok().Out);
        Assert.Contains("managedFields", (await _kubectl.RunAsync($"-n {ns} get configmap cfg -o yaml --show-managed-fields")).Ok().Out);

        // Apply requests need a field manager; force is for apply only.
        var noManager = await _http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/cfg",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}}""", "application/apply-patch+yaml");
        Assert.Equal("BadRequest", noManager.Expect(400)["reason"]!.GetValue<string>());
        var forceMerge = await _http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/cfg?force=true", """{"data":{"b":"2"}}""");
        Assert.Equal("BadRequest", forceMerge.Expect(400)["reason"]!.GetValue<string>());
        // managedFields in an apply configuration are rejected.
        var withManaged = await _http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/cfg?fieldManager=x",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","managedFields":[{"manager":"x"}]}}""", "application/apply-patch+yaml");
        Assert.Equal(400, withManaged.Code);
    }

    private async Task<JsonObject> GetAsync(string ns) =>
        (await _http.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web")).Expect(200);

    private static IEnumerable<JsonObject> ManagedFields(JsonObject obj) => obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>();

    private static JsonObject Manager(JsonObject obj, string manager) => Assert.Single(ManagedFields(obj), m => m["manager"]!.GetValue<string>() == manager);

    private static List<string> ContainerNames(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();

    private static string Image(JsonObject deployment, string container) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == container)!["image"]!.GetValue<string>();

    private static string AliceDeployment(string ns, string image) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: {{{ns}}}}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: app
                image: {{{image}}}
        """;

    private static string BobDeployment(string ns, string image) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: {{{ns}}}}
        spec:
          template:
            spec:
              containers:
              - name: sidecar
                image: {{{image}}}
        """;
}
