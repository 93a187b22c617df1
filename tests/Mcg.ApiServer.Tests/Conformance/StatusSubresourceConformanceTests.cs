using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>The status and scale subresources of a built-in (Deployment) and of custom resources, as the registry strategies split them.</summary>
public sealed class StatusSubresourceConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task DeploymentStatusAndSpecAreWrittenSeparately()
    {
        const string ns = "status-deploy";
        const string path = $"/apis/apps/v1/namespaces/{ns}/deployments/web";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create deployment web --image=nginx:1 --replicas=2")).Ok();
        var created = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal(1, Generation(created));

        // kubectl patch --subresource=status: status changes, the spec sent along is ignored, generation stays.
        (await _kubectl.RunAsync($$$"""-n {{{ns}}} patch deployment web --subresource=status --type=merge -p '{"status":{"replicas":2,"readyReplicas":1,"observedGeneration":1},"spec":{"replicas":9}}'""")).Ok();
        var afterStatus = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal(1, afterStatus["status"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(2, afterStatus["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, Generation(afterStatus));
        Assert.Contains(ManagedFields(afterStatus), m => m["manager"]!.GetValue<string>() == "kubectl-patch"
            && m["subresource"]?.GetValue<string>() == "status" && m["fieldsV1"]!["f:status"] is not null);
        var viaSubresource = (JsonObject)JsonNode.Parse((await _kubectl.RunAsync($"-n {ns} get deployment web --subresource=status -o json")).Ok().Out)!;
        Assert.Equal(1, viaSubresource["status"]!["readyReplicas"]!.GetValue<int>());

        // The main resource ignores status; a spec change there bumps generation.
        (await _kubectl.RunAsync($$$"""-n {{{ns}}} patch deployment web --type=merge -p '{"status":{"readyReplicas":7},"spec":{"replicas":3}}'""")).Ok();
        var afterSpec = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal(1, afterSpec["status"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(3, afterSpec["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Generation(afterSpec));

        // PUT to /status with everything changed: only status lands.
        var replaced = (JsonObject)afterSpec.DeepClone();
        replaced["spec"]!["replicas"] = 5;
        replaced["metadata"]!["labels"] = new JsonObject { ["hijacked"] = "yes" };
        replaced["status"] = new JsonObject { ["replicas"] = 3, ["readyReplicas"] = 3 };
        var put = (await _http.PutAsync(path + "/status", replaced.ToJsonString())).Expect(200);
        Assert.Equal(3, put["status"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(3, put["spec"]!["replicas"]!.GetValue<int>());
        Assert.Null(put["metadata"]!["labels"]!["hijacked"]);
        Assert.Equal(2, Generation(put));

        // A status write with a stale resourceVersion conflicts like any other.
        replaced["metadata"]!["resourceVersion"] = created["metadata"]!["resourceVersion"]!.DeepClone();
        Assert.Equal("Conflict", (await _http.PutAsync(path + "/status", replaced.ToJsonString())).Expect(409)["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task CustomResourceStatusSubresource()
    {
        const string ns = "status-cr";
        await CreateCrdAsync("gizmos", "Gizmo", withStatus: true);
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        const string path = $"/apis/status.example.com/v1/namespaces/{ns}/gizmos/g1";
        var created = (await _http.PostAsync($"/apis/status.example.com/v1/namespaces/{ns}/gizmos",
            """{"apiVersion":"status.example.com/v1","kind":"Gizmo","metadata":{"name":"g1"},"spec":{"size":1},"status":{"phase":"Bogus"}}""")).Expect(201);
        // Status given on create is dropped when the status subresource is on.
        Assert.Null(created["status"]);
        Assert.Equal(1, Generation(created));

        (await _kubectl.RunAsync($$$"""-n {{{ns}}} patch gizmo g1 --subresource=status --type=merge -p '{"status":{"phase":"Ready"},"spec":{"size":9}}'""")).Ok();
        var afterStatus = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal("Ready", afterStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(1, afterStatus["spec"]!["size"]!.GetValue<int>());
        Assert.Equal(1, Generation(afterStatus));

        (await _kubectl.RunAsync($$$"""-n {{{ns}}} patch gizmo g1 --type=merge -p '{"status":{"phase":"Hacked"},"spec":{"size":2}}'""")).Ok();
        var afterSpec = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal("Ready", afterSpec["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, afterSpec["spec"]!["size"]!.GetValue<int>());
        Assert.Equal(2, Generation(afterSpec));

        // A metadata-only change bumps neither generation (custom resources count spec and other top-level fields only).
        (await _kubectl.RunAsync($"-n {ns} label gizmo g1 tier=gold")).Ok();
        Assert.Equal(2, Generation((await _http.GetAsync(path)).Expect(200)));

        // Server-side apply to /status (forced: kubectl-patch owns .status.phase) owns status fields under the status subresource.
        var applied = (await _http.PatchAsync(path + "/status?fieldManager=reporter&force=true",
            """{"apiVersion":"status.example.com/v1","kind":"Gizmo","metadata":{"name":"g1"},"status":{"phase":"Done"},"spec":{"size":100}}""",
            "application/apply-patch+yaml")).Expect(200);
        Assert.Equal("Done", applied["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, applied["spec"]!["size"]!.GetValue<int>());
        var reporter = Assert.Single(ManagedFields(applied), m => m["manager"]!.GetValue<string>() == "reporter");
        Assert.Equal("Apply", reporter["operation"]!.GetValue<string>());
        Assert.Equal("status", reporter["subresource"]!.GetValue<string>());
        Assert.Equal("""{"f:status":{"f:phase":{}}}""", reporter["fieldsV1"]!.ToKubeJson());

        // Applying to the status of an object that does not exist does not create it.
        (await _http.PatchAsync($"/apis/status.example.com/v1/namespaces/{ns}/gizmos/nope/status?fieldManager=reporter",
            """{"apiVersion":"status.example.com/v1","kind":"Gizmo","metadata":{"name":"nope"},"status":{"phase":"Done"}}""",
            "application/apply-patch+yaml")).Expect(404);
        (await _http.GetAsync($"/apis/status.example.com/v1/namespaces/{ns}/gizmos/nope")).Expect(404);
    }

    [Fact]
    public async Task CustomResourceWithoutStatusSubresourceKeepsStatusInTheMainResource()
    {
        const string ns = "status-none";
        await CreateCrdAsync("plainthings", "PlainThing", withStatus: false);
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        var created = (await _http.PostAsync($"/apis/status.example.com/v1/namespaces/{ns}/plainthings",
            """{"apiVersion":"status.example.com/v1","kind":"PlainThing","metadata":{"name":"p"},"spec":{"a":1},"status":{"phase":"Kept"}}""")).Expect(201);
        Assert.Equal("Kept", created["status"]!["phase"]!.GetValue<string>());
        var patched = (await _http.PatchAsync($"/apis/status.example.com/v1/namespaces/{ns}/plainthings/p", """{"status":{"phase":"Changed"}}""")).Expect(200);
        Assert.Equal("Changed", patched["status"]!["phase"]!.GetValue<string>());
        // Without the subresource, status is just another field: changing it is a new generation.
        Assert.Equal(2, Generation(patched));
        (await _http.GetAsync($"/apis/status.example.com/v1/namespaces/{ns}/plainthings/p/status")).Expect(404);
    }

    [Fact]
    public async Task ScaleSubresourceOfADeployment()
    {
        const string ns = "scale-deploy";
        const string path = $"/apis/apps/v1/namespaces/{ns}/deployments/web";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create deployment web --image=nginx:1 --replicas=2")).Ok();

        var scale = (await _http.GetAsync(path + "/scale")).Expect(200);
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
        Assert.Equal("autoscaling/v1", scale["apiVersion"]!.GetValue<string>());
        Assert.Equal("web", scale["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(2, scale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(0, scale["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=web", scale["status"]!["selector"]!.GetValue<string>());

        Assert.Contains("deployment.apps/web scaled", (await _kubectl.RunAsync($"-n {ns} scale deployment web --replicas=4")).Ok().Out);
        var scaled = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal(4, scaled["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Generation(scaled));
        var entry = Assert.Single(ManagedFields(scaled), m => m["subresource"]?.GetValue<string>() == "scale");
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", entry["fieldsV1"]!.ToKubeJson());
        // --current-replicas is a precondition checked on a GET, then a PUT carrying the resourceVersion.
        (await _kubectl.RunAsync($"-n {ns} scale deployment web --replicas=1 --current-replicas=4")).Ok();
        var wrong = await _kubectl.RunAsync($"-n {ns} scale deployment web --replicas=3 --current-replicas=4");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("Expected replicas to be 4, was 1", wrong.Err);

        var stale = (JsonObject)scale.DeepClone();
        stale["spec"]!["replicas"] = 7;
        Assert.Equal("Conflict", (await _http.PutAsync(path + "/scale", stale.ToJsonString())).Expect(409)["reason"]!.GetValue<string>());
        var negative = (await _http.PatchAsync(path + "/scale", """{"spec":{"replicas":-1}}""")).Expect(422);
        Assert.Equal("Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", negative["message"]!.GetValue<string>());
        Assert.Equal(1, (await _http.GetAsync(path)).Expect(200)["spec"]!["replicas"]!.GetValue<int>());
        // Kinds without the subresource do not have it.
        (await _kubectl.RunAsync($"-n {ns} create configmap plain")).Ok();
        (await _http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/plain/scale")).Expect(404);
    }

    [Fact]
    public async Task ScaleSubresourceOfACustomResource()
    {
        const string ns = "scale-cr";
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: pools.status.example.com}
            spec:
              group: status.example.com
              scope: Namespaced
              names: {plural: pools, singular: pool, kind: Pool}
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                  scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.ready, labelSelectorPath: .status.selector}
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """)).Ok();
        (await _kubectl.RunAsync("wait --for condition=established --timeout=30s crd/pools.status.example.com")).Ok();
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        const string path = $"/apis/status.example.com/v1/namespaces/{ns}/pools/p";
        (await _http.PostAsync($"/apis/status.example.com/v1/namespaces/{ns}/pools", """{"apiVersion":"status.example.com/v1","kind":"Pool","metadata":{"name":"p"},"spec":{"size":1}}""")).Expect(201);
        (await _http.PatchAsync(path + "/status", """{"status":{"ready":1,"selector":"pool=p"}}""")).Expect(200);

        var discovery = (await _http.GetAsync("/apis/status.example.com/v1")).Expect(200);
        var entry = discovery["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pools/scale")!;
        Assert.Equal("autoscaling", entry["group"]!.GetValue<string>());
        Assert.Equal("v1", entry["version"]!.GetValue<string>());
        Assert.Equal("Scale", entry["kind"]!.GetValue<string>());

        (await _kubectl.RunAsync($"-n {ns} scale pool p --replicas=3")).Ok();
        var pool = (await _http.GetAsync(path)).Expect(200);
        Assert.Equal(3, pool["spec"]!["size"]!.GetValue<int>());
        var scale = (await _http.GetAsync(path + "/scale")).Expect(200);
        Assert.Equal(3, scale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, scale["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("pool=p", scale["status"]!["selector"]!.GetValue<string>());
    }

    private async Task CreateCrdAsync(string plural, string kind, bool withStatus)
    {
        var subresources = withStatus ? "subresources: {status: {}}" : "";
        (await _kubectl.RunAsync("apply -f -", $$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: {{plural}}.status.example.com
            spec:
              group: status.example.com
              scope: Namespaced
              names: {plural: {{plural}}, singular: {{kind.ToLowerInvariant()}}, kind: {{kind}}}
              versions:
              - name: v1
                served: true
                storage: true
                {{subresources}}
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
            """)).Ok();
        (await _kubectl.RunAsync($"wait --for condition=established --timeout=30s crd/{plural}.status.example.com")).Ok();
    }

    private static long Generation(JsonObject obj) => obj["metadata"]!["generation"]!.GetValue<long>();

    private static IEnumerable<JsonObject> ManagedFields(JsonObject obj) => obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>();
}
