using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>Error Status objects (code, reason, message, details) as the apiserver writes them, and dry runs.</summary>
public sealed class ErrorConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private const string Ns = "errors";
    private const string Cms = $"/api/v1/namespaces/{Ns}/configmaps";
    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    public async Task InitializeAsync()
    {
        var created = await _http.PostAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Ns}}}"}}""");
        Assert.True(created.Code is 201 or 409, created.Body);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task NotFoundForUnknownResourcesAndObjects()
    {
        foreach (var path in new[] { $"/api/v1/namespaces/{Ns}/widgets", "/apis/nope.example.com/v1/things", "/apis/apps/v1/namespaces/x/deployments/y/bogus", "/api/v2" })
        {
            var status = (await _http.GetAsync(path)).Expect(404);
            AssertStatus(status, 404, "NotFound", "the server could not find the requested resource");
            Assert.Equal("{}", status["details"]!.ToJsonString());
        }

        var missing = (await _http.GetAsync($"{Cms}/missing")).Expect(404);
        AssertStatus(missing, 404, "NotFound", "configmaps \"missing\" not found");
        Assert.Equal("""{"name":"missing","kind":"configmaps"}""", missing["details"]!.ToJsonString());
        var grouped = (await _http.GetAsync($"/apis/apps/v1/namespaces/{Ns}/deployments/missing")).Expect(404);
        AssertStatus(grouped, 404, "NotFound", "deployments.apps \"missing\" not found");
        Assert.Equal("""{"name":"missing","group":"apps","kind":"deployments"}""", grouped["details"]!.ToJsonString());

        var kubectl = await _kubectl.RunAsync($"-n {Ns} get configmap missing");
        Assert.Equal(1, kubectl.ExitCode);
        Assert.Contains("Error from server (NotFound): configmaps \"missing\" not found", kubectl.Err);
        var unknownType = await _kubectl.RunAsync($"-n {Ns} get widgets");
        Assert.NotEqual(0, unknownType.ExitCode);
        Assert.Contains("the server doesn't have a resource type \"widgets\"", unknownType.Err);
    }

    [Fact]
    public async Task AlreadyExistsAndConflict()
    {
        (await _kubectl.RunAsync($"-n {Ns} create configmap dup")).Ok();
        var again = await _kubectl.RunAsync($"-n {Ns} create configmap dup");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("configmaps \"dup\" already exists", again.Err);
        var status = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"}}""")).Expect(409);
        AssertStatus(status, 409, "AlreadyExists", "configmaps \"dup\" already exists");
        Assert.Equal("""{"name":"dup","kind":"configmaps"}""", status["details"]!.ToJsonString());

        var stale = (await _http.PutAsync($"{Cms}/dup", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","resourceVersion":"1"},"data":{"a":"b"}}""")).Expect(409);
        AssertStatus(stale, 409, "Conflict", "Operation cannot be fulfilled on configmaps \"dup\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public async Task InvalidNameIsUnprocessable()
    {
        var kubectl = await _kubectl.RunAsync($"-n {Ns} create configmap Bad_Name");
        Assert.Equal(1, kubectl.ExitCode);
        Assert.Contains("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", kubectl.Err);

        var status = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}""")).Expect(422);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("Bad_Name", status["details"]!["name"]!.GetValue<string>());
        Assert.Equal("configmaps", status["details"]!["kind"]!.GetValue<string>());
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        Assert.Equal("FieldValueInvalid", cause["reason"]!.GetValue<string>());
        Assert.Equal("metadata.name", cause["field"]!.GetValue<string>());

        var nsStatus = (await _http.PostAsync("/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"has.dot"}}""")).Expect(422);
        Assert.Contains("a lowercase RFC 1123 label must consist of", nsStatus["message"]!.GetValue<string>());
        var required = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""")).Expect(422);
        Assert.Contains("metadata.name: Required value: name or generateName is required", required["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvalidMetadataIsUnprocessable()
    {
        var labels = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-labels","labels":{"bad key":"ok","good":"bad value"}}}""")).Expect(422);
        Assert.Equal("Invalid", labels["reason"]!.GetValue<string>());
        var message = labels["message"]!.GetValue<string>();
        Assert.StartsWith("ConfigMap \"bad-labels\" is invalid: [", message);
        Assert.Contains("metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", message);
        Assert.Contains("metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters", message);
        Assert.Equal(2, labels["details"]!["causes"]!.AsArray().Count);

        var owner = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-owner","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"x"}]}}""")).Expect(422);
        Assert.Equal("ConfigMap \"bad-owner\" is invalid: metadata.ownerReferences.uid: Invalid value: \"\": uid must not be empty", owner["message"]!.GetValue<string>());
        var finalizer = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-fin","finalizers":["example.com/ok","not ok!"]}}""")).Expect(422);
        Assert.Contains("metadata.finalizers: Invalid value: \"not ok!\": name part must consist of", finalizer["message"]!.GetValue<string>());
        var annotation = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-ann","annotations":{"a/b/c":"x"}}}""")).Expect(422);
        Assert.Contains("metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of", annotation["message"]!.GetValue<string>());

        // Updates are checked too; a group-qualified kind is named with its group.
        (await _kubectl.RunAsync($"-n {Ns} create deployment valid --image=nginx")).Ok();
        var patched = (await _http.PatchAsync($"/apis/apps/v1/namespaces/{Ns}/deployments/valid", """{"metadata":{"labels":{"-x":"y"}}}""")).Expect(422);
        Assert.StartsWith("Deployment.apps \"valid\" is invalid: metadata.labels: Invalid value: \"-x\"", patched["message"]!.GetValue<string>());
        Assert.Equal("apps", patched["details"]!["group"]!.GetValue<string>());
        // Nothing was stored by the rejected writes.
        (await _http.GetAsync($"{Cms}/bad-labels")).Expect(404);
    }

    [Fact]
    public async Task ImmutableFieldsCannotChange()
    {
        (await _kubectl.RunAsync($"-n {Ns} create deployment fixed --image=nginx")).Ok();
        var selector = await _kubectl.RunAsync($"-n {Ns} " + """patch deployment fixed --type=merge -p '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}'""");
        Assert.Equal(1, selector.ExitCode);
        Assert.Contains("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable", selector.Err);
        var status = (await _http.PatchAsync($"/apis/apps/v1/namespaces/{Ns}/deployments/fixed", """{"spec":{"selector":{"matchLabels":{"app":"x"}}}}""")).Expect(422);
        Assert.Equal("Deployment.apps \"fixed\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            status["message"]!.GetValue<string>());
        // Changing the rest of the spec is fine.
        (await _kubectl.RunAsync($$$"""-n {{{Ns}}} patch deployment fixed --type=merge -p '{"spec":{"replicas":4}}'""")).Ok();

        const string immutable = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: frozen, namespace: {{Ns}}}
            data: {a: "1"}
            immutable: true
            """;
        (await _kubectl.RunAsync("apply -f -", immutable)).Ok();
        var change = await _kubectl.RunAsync("apply -f -", immutable.Replace("\"1\"", "\"2\""));
        Assert.Equal(1, change.ExitCode);
        Assert.Contains("\"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set", change.Err);
        var thaw = (await _http.PatchAsync($"{Cms}/frozen", """{"immutable":false}""")).Expect(422);
        Assert.Equal("FieldValueForbidden", thaw["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("immutable", thaw["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        // Its metadata still changes, and it can be deleted.
        (await _kubectl.RunAsync($"-n {Ns} label configmap frozen tier=gold")).Ok();
        (await _kubectl.RunAsync($"-n {Ns} delete configmap frozen")).Ok();
    }

    [Fact]
    public async Task MalformedRequestsAreBadRequests()
    {
        // A repeated field: last wins with a warning, or 400 with fieldValidation=Strict (what kubectl sends).
        const string duplicated = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dupfield"},"data":{"a":"1","a":"2"}}""";
        var strict = (await _http.PostAsync($"{Cms}?fieldValidation=Strict", duplicated)).Expect(400);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"data.a\"", strict["message"]!.GetValue<string>());
        var lenient = await _http.PostAsync(Cms, duplicated);
        Assert.Equal("2", lenient.Expect(201)["data"]!["a"]!.GetValue<string>());
        Assert.Equal(["299 - \"duplicate field \\\"data.a\\\"\""], lenient.Warnings);

        // Metadata of the wrong JSON type cannot be decoded.
        var labels = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed","labels":{"a":5}}}""")).Expect(400);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string", labels["message"]!.GetValue<string>());
        var finalizers = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed","finalizers":"x"}}""")).Expect(400);
        Assert.Contains("ObjectMeta.metadata.finalizers of type []string", finalizers["message"]!.GetValue<string>());
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}""")).Expect(400);

        // So do DeleteOptions; nothing is deleted.
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept"}}""")).Expect(201);
        var orphan = (await _http.DeleteAsync($"{Cms}/kept", """{"orphanDependents":"yes"}""")).Expect(400);
        Assert.Equal("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: json: cannot unmarshal string into Go struct field DeleteOptions.orphanDependents of type bool", orphan["message"]!.GetValue<string>());
        (await _http.DeleteAsync($"{Cms}/kept", """{"propagationPolicy":5}""")).Expect(400);
        (await _http.DeleteAsync($"{Cms}/kept", """{"propagationPolicy":"Sideways"}""")).Expect(400);
        (await _http.GetAsync($"{Cms}/kept")).Expect(200);

        // Query parameters that are not numbers.
        Assert.Equal("strconv.ParseInt: parsing \"abc\": invalid syntax", (await _http.GetAsync($"{Cms}?limit=abc")).Expect(400)["message"]!.GetValue<string>());
        (await _http.GetAsync($"{Cms}?watch=true&timeoutSeconds=soon")).Expect(400);
        (await _http.GetAsync($"{Cms}?watch=true&resourceVersion=latest")).Expect(400);
        (await _http.GetAsync($"{Cms}?labelSelector=a%20b%20c")).Expect(400);
        Assert.Equal("field label not supported: data.a", (await _http.GetAsync($"{Cms}?fieldSelector=data.a%3Db")).Expect(400)["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentPatchesWithoutPreconditionsAllApply()
    {
        // Patches carry no resourceVersion, so the server retries on its own conflicts (GuaranteedUpdate), whatever the patch type.
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"contended"},"data":{}}""")).Expect(201);
        var patches = Enumerable.Range(0, 90).Select(i => (i % 3) switch
        {
            0 => _http.PatchAsync($"{Cms}/contended", $$$"""[{"op":"add","path":"/data/k{{{i}}}","value":"v"}]""", "application/json-patch+json"),
            1 => _http.PatchAsync($"{Cms}/contended", $$$"""{"data":{"k{{{i}}}":"v"}}"""),
            _ => _http.PatchAsync($"{Cms}/contended", $$$"""{"data":{"k{{{i}}}":"v"}}""", "application/strategic-merge-patch+json"),
        });
        var results = await Task.WhenAll(patches);
        Assert.All(results, r => Assert.True(r.Code == 200, r.Body));
        Assert.Equal(90, (await _http.GetAsync($"{Cms}/contended")).Expect(200)["data"]!.AsObject().Count);
        // With a stale resourceVersion in the patch, the conflict is the caller's.
        (await _http.PatchAsync($"{Cms}/contended", """[{"op":"replace","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/data/late","value":"v"}]""", "application/json-patch+json")).Expect(409);
    }

    [Fact]
    public async Task ConcurrentUnconditionalUpdatesAllApply()
    {
        // A PUT without metadata.resourceVersion is unconditional: it never fails on someone else's write.
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"overwritten"}}""")).Expect(201);
        var puts = Enumerable.Range(0, 60).Select(i =>
            _http.PutAsync($"{Cms}/overwritten", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"overwritten"},"data":{"writer":"{{{i}}}"}}"""));
        var results = await Task.WhenAll(puts);
        Assert.All(results, r => Assert.True(r.Code == 200, r.Body));
    }

    [Fact]
    public async Task DeleteWithoutPreconditionsIsNotDisturbedByConcurrentWrites()
    {
        for (var round = 0; round < 20; round++)
        {
            var name = $"busy-{round}";
            (await _http.PostAsync(Cms, $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","finalizers":["example.com/hold"]}}""")).Expect(201);
            Task<ApiHttp.Response> Write(int i) => _http.PatchAsync($"{Cms}/{name}", $$$"""{"data":{"k{{{i}}}":"v"}}""");
            var writes = Enumerable.Range(0, 15).Select(Write).ToList();
            var delete = _http.DeleteAsync($"{Cms}/{name}");
            writes.AddRange(Enumerable.Range(15, 15).Select(Write));
            await Task.WhenAll(writes);
            var deleted = await delete;
            Assert.True(deleted.Code == 200, deleted.Body);
            var marked = (await _http.GetAsync($"{Cms}/{name}")).Expect(200);
            Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
            (await _http.PatchAsync($"{Cms}/{name}", """{"metadata":{"finalizers":null}}""")).Expect(200);
        }
    }

    [Fact]
    public async Task BodyThatContradictsTheUrlIsBadRequest()
    {
        var wrongNs = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"elsewhere"}}""")).Expect(400);
        AssertStatus(wrongNs, 400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        Assert.Null(wrongNs["details"]);
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"named"}}""")).Expect(201);
        var wrongName = (await _http.PutAsync($"{Cms}/named", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}""")).Expect(400);
        Assert.Equal("BadRequest", wrongName["reason"]!.GetValue<string>());
        var wrongKind = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}""")).Expect(400);
        Assert.Equal("BadRequest", wrongKind["reason"]!.GetValue<string>());
        var notJson = (await _http.PostAsync(Cms, "{not json")).Expect(400);
        Assert.Equal("BadRequest", notJson["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task StrategicMergePatchOnACustomResourceIsUnsupportedMediaType()
    {
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: sprockets.errors.example.com}
            spec:
              group: errors.example.com
              scope: Namespaced
              names: {plural: sprockets, singular: sprocket, kind: Sprocket}
              versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """)).Ok();
        (await _kubectl.RunAsync("wait --for condition=established --timeout=30s crd/sprockets.errors.example.com")).Ok();
        const string path = $"/apis/errors.example.com/v1/namespaces/{Ns}/sprockets";
        (await _http.PostAsync(path, """{"apiVersion":"errors.example.com/v1","kind":"Sprocket","metadata":{"name":"s"},"spec":{"a":1}}""")).Expect(201);

        var status = (await _http.PatchAsync($"{path}/s", """{"spec":{"a":2}}""", "application/strategic-merge-patch+json")).Expect(415);
        AssertStatus(status, 415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        var kubectl = await _kubectl.RunAsync($$$"""-n {{{Ns}}} patch sprocket s --type=strategic -p '{"spec":{"a":3}}'""");
        Assert.NotEqual(0, kubectl.ExitCode);
        Assert.Contains("accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", kubectl.Err);
        // The other patch types work on it.
        (await _http.PatchAsync($"{path}/s", """{"spec":{"a":4}}""")).Expect(200);
        (await _http.PatchAsync($"{path}/s", """[{"op":"replace","path":"/spec/a","value":5}]""", "application/json-patch+json")).Expect(200);
        var builtIn = (await _http.PatchAsync($"{Cms}/none", "{}", "application/x-unknown")).Expect(415);
        Assert.Equal("UnsupportedMediaType", builtIn["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task MethodNotAllowed()
    {
        (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m"}}""")).Expect(201);
        var cases = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Put, Cms),
            (HttpMethod.Patch, Cms),
            (HttpMethod.Post, $"{Cms}/m"),
            (HttpMethod.Get, "/apis/authentication.k8s.io/v1/tokenreviews"),
            (HttpMethod.Delete, "/apis/authentication.k8s.io/v1/tokenreviews/x"),
        };
        foreach (var (method, path) in cases)
        {
            var response = await _http.SendAsync(method, path, "{}", method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json");
            var status = response.Expect(405);
            AssertStatus(status, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
    }

    [Fact]
    public async Task ServerDryRunPersistsNothing()
    {
        const string manifest = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: dry, namespace: {{Ns}}}
            data: {a: "1"}
            """;
        Assert.Contains("configmap/dry created (server dry run)", (await _kubectl.RunAsync("apply --dry-run=server -f -", manifest)).Ok().Out);
        (await _http.GetAsync($"{Cms}/dry")).Expect(404);
        var dryCreate = (await _http.PostAsync($"{Cms}?dryRun=All", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry2"}}""")).Expect(201);
        Assert.NotNull(dryCreate["metadata"]!["uid"]);
        (await _http.GetAsync($"{Cms}/dry2")).Expect(404);

        (await _kubectl.RunAsync("apply -f -", manifest)).Ok();
        var before = (await _http.GetAsync($"{Cms}/dry")).Expect(200);
        var changed = manifest.Replace("\"1\"", "\"2\"");
        var dryApplied = (JsonObject)JsonNode.Parse((await _kubectl.RunAsync("apply --dry-run=server -o json -f -", changed)).Ok().Out)!;
        Assert.Equal("2", dryApplied["data"]!["a"]!.GetValue<string>());
        (await _kubectl.RunAsync("apply --server-side --force-conflicts --dry-run=server -f -", changed)).Ok();
        Assert.Contains("(server dry run)", (await _kubectl.RunAsync($"-n {Ns} delete configmap dry --dry-run=server")).Ok().Out);
        (await _kubectl.RunAsync($"-n {Ns} label configmap dry x=y --dry-run=server")).Ok();
        var after = (await _http.GetAsync($"{Cms}/dry")).Expect(200);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());

        // kubectl diff: a dry-run patch with a resourceVersion precondition; exit 0 when equal, 1 with a diff.
        Assert.Equal(0, (await _kubectl.RunAsync("diff -f -", manifest)).ExitCode);
        var diff = await _kubectl.RunAsync("diff -f -", changed);
        Assert.True(diff.ExitCode == 1, diff.Err);
        Assert.Contains("-  a: \"1\"", diff.Out);
        Assert.Contains("+  a: \"2\"", diff.Out);
        Assert.DoesNotContain("generation", diff.Out);
        Assert.Equal(before.ToJsonString(), (await _http.GetAsync($"{Cms}/dry")).Expect(200).ToJsonString());

        // A dry-run patch whose resourceVersion precondition is stale conflicts, as the real one would.
        var stalePatch = (await _http.PatchAsync($"{Cms}/dry?dryRun=All", """{"metadata":{"resourceVersion":"1"},"data":{"a":"3"}}""")).Expect(409);
        Assert.Equal("Conflict", stalePatch["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeleteAnswersWithASuccessStatusAndHonoursBodyDryRun()
    {
        var created = (await _http.PostAsync(Cms, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"del"}}""")).Expect(201);
        // kubectl delete --dry-run=server puts dryRun in the DeleteOptions body, not in the query.
        var dry = (await _http.DeleteAsync($"{Cms}/del", """{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background","dryRun":["All"]}""")).Expect(200);
        Assert.Equal("Success", dry["status"]!.GetValue<string>());
        (await _http.GetAsync($"{Cms}/del")).Expect(200);
        var collectionDry = (await _http.DeleteAsync($"{Cms}?fieldSelector=metadata.name%3Ddel", """{"dryRun":["All"]}""")).Expect(200);
        Assert.Single(collectionDry["items"]!.AsArray());
        (await _http.GetAsync($"{Cms}/del")).Expect(200);

        var stale = (await _http.DeleteAsync($"{Cms}/del", """{"preconditions":{"uid":"not-the-uid"}}""")).Expect(409);
        Assert.Equal("Conflict", stale["reason"]!.GetValue<string>());
        var done = (await _http.DeleteAsync($"{Cms}/del")).Expect(200);
        Assert.Equal($$$"""{"name":"del","kind":"configmaps","uid":"{{{created["metadata"]!["uid"]}}}"}""", done["details"]!.ToJsonString());
        (await _http.GetAsync($"{Cms}/del")).Expect(404);
        (await _http.DeleteAsync($"{Cms}/del")).Expect(404);
    }

    private static void AssertStatus(JsonObject status, int code, string reason, string message)
    {
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("v1", status["apiVersion"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal(code, status["code"]!.GetValue<int>());
        Assert.Equal(reason, status["reason"]!.GetValue<string>());
        Assert.Equal(message, status["message"]!.GetValue<string>());
    }
}
