using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Tests.Client;

public sealed class KubernetesClientKubeClientTests : IDisposable
{
    private static readonly ResourceRef Widgets = new("example.com", "v1", "widgets", "Widget", true);

    private readonly Queue<Func<RecordedRequest, HttpListenerResponseWriter>> _responses = new();
    private readonly RecordingServer _server;
    private readonly KubernetesClientKubeClient _client;

    public KubernetesClientKubeClientTests()
    {
        _server = new RecordingServer(async (request, response) =>
        {
            Func<RecordedRequest, HttpListenerResponseWriter> next;
            lock (_responses)
            {
                next = _responses.Count > 0 ? _responses.Dequeue() : _ => Json(500, """{"kind":"Status","code":500,"message":"unexpected"}""");
            }
            await next(request)(response);
        });
        _client = new KubernetesClientKubeClient(new k8s.KubernetesClientConfiguration { Host = _server.Url, AccessToken = "x" });
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    public delegate Task HttpListenerResponseWriter(System.Net.HttpListenerResponse response);

    private static HttpListenerResponseWriter Json(int status, string body) => r => RecordingServer.RespondAsync(r, status, body);

    private void Respond(int status, string body) => Respond(_ => Json(status, body));

    private void Respond(Func<RecordedRequest, HttpListenerResponseWriter> handler)
    {
        lock (_responses)
        {
            _responses.Enqueue(handler);
        }
    }

    private RecordedRequest[] Requests => [.. _server.Requests];

    private static JsonObject Widget(string ns, string name) => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = "7" },
        ["spec"] = new JsonObject { ["size"] = 3 },
    };

    [Fact]
    public async Task Get_CoreGroup_UsesApiPathAndBearerToken()
    {
        Respond(200, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"ns1"}}""");

        var obj = await _client.GetAsync(ResourceRef.ConfigMaps, "ns1", "cm");

        Assert.Equal("cm", obj?.Name());
        var request = Assert.Single(Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/v1/namespaces/ns1/configmaps/cm", request.PathAndQuery);
        Assert.Equal("Bearer x", request.Authorization);
    }

    [Fact]
    public async Task Get_NotFound_ReturnsNull_ClusterScopedPathHasNoNamespace()
    {
        Respond(404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");

        Assert.Null(await _client.GetAsync(ResourceRef.CustomResourceDefinitions, null, "widgets.example.com"));
        Assert.Equal("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", Assert.Single(Requests).PathAndQuery);
    }

    [Fact]
    public async Task NamespacedResource_WithoutNamespace_IsRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.GetAsync(Widgets, null, "w"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateAsync(Widgets, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "w" } }));
        Assert.Empty(Requests);
    }

    [Fact]
    public async Task Resolve_UsesCachedDiscovery_AndRefreshesOnAMiss()
    {
        const string before = """
            {"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[
              {"name":"widgets","singularName":"widget","namespaced":true,"kind":"Widget","verbs":["get"]},
              {"name":"widgets/status","singularName":"","namespaced":true,"kind":"Widget","verbs":["get"]}]}
            """;
        const string after = """
            {"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[
              {"name":"widgets","namespaced":true,"kind":"Widget"},
              {"name":"gadgets","namespaced":false,"kind":"Gadget"}]}
            """;
        Respond(200, before);
        Respond(200, before);
        Respond(200, after);
        Respond(404, """{"kind":"Status","code":404,"reason":"NotFound"}""");

        var widget = await _client.ResolveAsync("example.com/v1", "Widget");
        Assert.Equal(Widgets, widget);
        Assert.Equal(widget, await _client.ResolveAsync("example.com/v1", "Widget")); // cached
        await Assert.ThrowsAsync<NoKindMatchException>(() => _client.ResolveAsync("example.com/v1", "Gadget"));
        var gadget = await _client.ResolveAsync("example.com/v1", "Gadget"); // the CRD appeared meanwhile
        Assert.Equal(new ResourceRef("example.com", "v1", "gadgets", "Gadget", false), gadget);
        await Assert.ThrowsAsync<NoKindMatchException>(() => _client.ResolveAsync("other.io/v1", "Thing"));

        Assert.Equal(["/apis/example.com/v1", "/apis/example.com/v1", "/apis/example.com/v1", "/apis/other.io/v1"],
            Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Resolve_CoreGroup_UsesApiV1()
    {
        Respond(200, """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","namespaced":false,"kind":"Namespace"}]}""");
        Assert.Equal(ResourceRef.Namespaces, await _client.ResolveAsync("v1", "Namespace"));
        Assert.Equal("/api/v1", Assert.Single(Requests).PathAndQuery);
    }

    [Fact]
    public async Task List_FollowsContinueTokens_AndFillsTypeMeta()
    {
        Respond(200, """{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"10","continue":"tok/1"},"items":[{"metadata":{"name":"a","namespace":"n"}}]}""");
        Respond(200, """{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"11"},"items":[{"metadata":{"name":"b","namespace":"n"}}]}""");

        var list = await _client.ListAsync(ResourceRef.ConfigMaps, "n", new ListOptions { LabelSelector = "app=x,tier in (a,b)", PageSize = 1 });

        Assert.Equal(["a", "b"], list.Items.Select(i => i.Name()));
        Assert.All(list.Items, i => Assert.Equal(("v1", "ConfigMap"), (i.ApiVersion(), i.Kind())));
        Assert.Null(list.Items[0].Parent);
        Assert.Equal("11", list.ResourceVersion);
        Assert.Equal([
            "/api/v1/namespaces/n/configmaps?labelSelector=app%3Dx%2Ctier%20in%20%28a%2Cb%29&limit=1",
            "/api/v1/namespaces/n/configmaps?labelSelector=app%3Dx%2Ctier%20in%20%28a%2Cb%29&limit=1&continue=tok%2F1",
        ], Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task List_AllNamespaces_UsesTheClusterWidePath()
    {
        Respond(200, """{"kind":"WidgetList","metadata":{"resourceVersion":"3"},"items":[]}""");
        var list = await _client.ListAsync(Widgets, null, new ListOptions { FieldSelector = "metadata.name=w" });
        Assert.Empty(list.Items);
        Assert.Equal("/apis/example.com/v1/widgets?fieldSelector=metadata.name%3Dw&limit=500", Assert.Single(Requests).PathAndQuery);
    }

    [Fact]
    public async Task Watch_StreamsEvents_AndSurfacesAnExpiredErrorEvent()
    {
        Respond(_ => async response =>
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.SendChunked = true;
            await using var writer = new StreamWriter(response.OutputStream) { AutoFlush = true };
            await writer.WriteAsync("""{"type":"ADDED","object":{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w","namespace":"n","resourceVersion":"6"}}}""" + "\n");
            await Task.Delay(50);
            await writer.WriteAsync("""{"type":"MODIFIED","object":{"metadata":{"name":"w","namespace":"n","resourceVersion":"7"}}}""" + "\n\n");
            await writer.WriteAsync("""{"type":"BOOKMARK","object":{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"resourceVersion":"8"}}}""" + "\n");
            await writer.WriteAsync("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (8)","reason":"Expired","code":410}}""" + "\n");
            response.Close();
        });

        var events = new List<(WatchEventType, string?)>();
        var ex = await Assert.ThrowsAsync<ResourceVersionExpiredException>(async () =>
        {
            await foreach (var (type, obj) in _client.WatchAsync(Widgets, "n", new WatchOptions { ResourceVersion = "5", TimeoutSeconds = 30 }))
            {
                Assert.Equal("Widget", obj.Kind());
                events.Add((type, obj.ResourceVersion()));
            }
        });

        Assert.Equal([(WatchEventType.Added, "6"), (WatchEventType.Modified, "7"), (WatchEventType.Bookmark, "8")], events);
        Assert.Equal(410, ex.StatusCode);
        Assert.Equal("Expired", ex.Reason);
        Assert.Equal("/apis/example.com/v1/namespaces/n/widgets?watch=true&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=30",
            Assert.Single(Requests).PathAndQuery);
    }

    [Fact]
    public async Task Watch_GoneResponse_ThrowsExpired()
    {
        Respond(410, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Gone","message":"gone","code":410}""");
        await Assert.ThrowsAsync<ResourceVersionExpiredException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync(ResourceRef.ConfigMaps, null, new WatchOptions { ResourceVersion = "1", AllowWatchBookmarks = false }))
            {
            }
        });
        Assert.Equal("/api/v1/configmaps?watch=true&resourceVersion=1", Assert.Single(Requests).PathAndQuery);
    }

    [Fact]
    public async Task Watch_Cancellation_StopsTheStream()
    {
        var release = new TaskCompletionSource();
        Respond(_ => async response =>
        {
            response.StatusCode = 200;
            response.SendChunked = true;
            await using var writer = new StreamWriter(response.OutputStream) { AutoFlush = true };
            await writer.WriteAsync("""{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"2"}}}""" + "\n");
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
            response.Abort();
        });
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync(ResourceRef.ConfigMaps, "n", ct: cts.Token))
            {
                seen++;
                cts.CancelAfter(50);
            }
        });
        release.SetResult();
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task Create_Update_UpdateStatus_SendJsonToTheRightPaths()
    {
        var echo = (Func<RecordedRequest, HttpListenerResponseWriter>)(r => Json(200, r.Body));
        Respond(echo);
        Respond(echo);
        Respond(echo);

        var created = await _client.CreateAsync(Widgets, Widget("n", "w"), new WriteOptions { FieldManager = "mcg", DryRun = true });
        await _client.UpdateAsync(Widgets, Widget("n", "w"));
        await _client.UpdateStatusAsync(Widgets, Widget("n", "w"));

        Assert.Equal(3, created["spec"]!["size"]!.GetValue<int>());
        Assert.Equal([
            ("POST", "/apis/example.com/v1/namespaces/n/widgets?fieldManager=mcg&dryRun=All"),
            ("PUT", "/apis/example.com/v1/namespaces/n/widgets/w"),
            ("PUT", "/apis/example.com/v1/namespaces/n/widgets/w/status"),
        ], Requests.Select(r => (r.Method, r.PathAndQuery)));
        Assert.All(Requests, r => Assert.Equal("application/json", r.ContentType));
        Assert.All(Requests, r => Assert.True(JsonNode.DeepEquals(Widget("n", "w"), JsonNode.Parse(r.Body))));
    }

    [Theory]
    [InlineData(PatchType.Merge, "application/merge-patch+json")]
    [InlineData(PatchType.Json, "application/json-patch+json")]
    [InlineData(PatchType.Strategic, "application/strategic-merge-patch+json")]
    public async Task Patch_UsesTheContentTypeOfThePatchType(PatchType type, string contentType)
    {
        Respond(200, """{"kind":"Widget","metadata":{"name":"w"}}""");
        var patch = type == PatchType.Json ? JsonNode.Parse("""[{"op":"replace","path":"/spec/size","value":4}]""")! : JsonNode.Parse("""{"spec":{"size":4}}""")!;

        await _client.PatchAsync(Widgets, "n", "w", type, patch, new PatchOptions { FieldManager = "mcg", Subresource = "status" });

        var request = Assert.Single(Requests);
        Assert.Equal("PATCH", request.Method);
        Assert.Equal("/apis/example.com/v1/namespaces/n/widgets/w/status?fieldManager=mcg", request.PathAndQuery);
        Assert.Equal(contentType, request.ContentType);
        Assert.True(JsonNode.DeepEquals(patch, JsonNode.Parse(request.Body)));
    }

    [Fact]
    public async Task Apply_IsAnApplyPatchWithFieldManagerAndForce()
    {
        Respond(200, """{"kind":"Widget","metadata":{"name":"w"}}""");

        await _client.ApplyAsync(Widgets, Widget("n", "w"), new ApplyOptions("mcg-controller") { Force = true });

        var request = Assert.Single(Requests);
        Assert.Equal("PATCH", request.Method);
        Assert.Equal("/apis/example.com/v1/namespaces/n/widgets/w?fieldManager=mcg-controller&force=true", request.PathAndQuery);
        Assert.Equal("application/apply-patch+yaml", request.ContentType);
        Assert.True(JsonNode.DeepEquals(Widget("n", "w"), JsonNode.Parse(request.Body)));
    }

    [Fact]
    public async Task Delete_SendsDeleteOptions_AndReportsNotFound()
    {
        Respond(200, """{"kind":"Status","status":"Success"}""");
        Respond(404, """{"kind":"Status","code":404,"reason":"NotFound"}""");

        Assert.True(await _client.DeleteAsync(Widgets, "n", "w",
            new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground, ResourceVersion = "7", Uid = "u1" }));
        Assert.False(await _client.DeleteAsync(Widgets, "n", "w"));

        var first = Requests[0];
        Assert.Equal(("DELETE", "/apis/example.com/v1/namespaces/n/widgets/w"), (first.Method, first.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground","preconditions":{"resourceVersion":"7","uid":"u1"}}"""),
            JsonNode.Parse(first.Body)));
    }

    [Fact]
    public async Task Errors_CarryStatusCodeAndParsedStatus()
    {
        Respond(409, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the object has been modified","reason":"Conflict","details":{"name":"w"},"code":409}""");
        Respond(409, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"widgets \"w\" already exists","reason":"AlreadyExists","code":409}""");
        Respond(503, "upstream unavailable");

        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => _client.UpdateAsync(Widgets, Widget("n", "w")));
        Assert.Equal(409, conflict.StatusCode);
        Assert.True(conflict.IsConflict);
        Assert.Equal("the object has been modified", conflict.Status?.Message);
        Assert.Equal("w", conflict.Status?.Details?["name"]?.GetValue<string>());

        var exists = await Assert.ThrowsAsync<KubeApiException>(() => _client.CreateAsync(Widgets, Widget("n", "w")));
        Assert.True(exists.IsAlreadyExists);
        Assert.False(exists.IsConflict);

        var unavailable = await Assert.ThrowsAsync<KubeApiException>(() => _client.GetAsync(Widgets, "n", "w"));
        Assert.Equal(503, unavailable.StatusCode);
        Assert.Null(unavailable.Status);
        Assert.Contains("upstream unavailable", unavailable.Message);
    }

    [Fact]
    public async Task SlowRequests_TimeOut()
    {
        using var client = new KubernetesClientKubeClient(new k8s.KubernetesClientConfiguration { Host = _server.Url, AccessToken = "x" })
        {
            RequestTimeout = TimeSpan.FromMilliseconds(100),
        };
        Respond(_ => async response =>
        {
            await Task.Delay(1000);
            await RecordingServer.RespondAsync(response, 200, "{}");
        });
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetAsync(ResourceRef.Namespaces, null, "default"));
    }

    [Fact]
    public async Task ServerUrlPathPrefix_IsKept()
    {
        using var client = new KubernetesClientKubeClient(new k8s.KubernetesClientConfiguration { Host = _server.Url + "/proxy/c1", AccessToken = "x" });
        Respond(404, "{}");
        await client.GetAsync(ResourceRef.Namespaces, null, "default");
        Assert.Equal("/proxy/c1/api/v1/namespaces/default", Assert.Single(Requests).PathAndQuery);
    }
}
