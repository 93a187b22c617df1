using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Extensions;
using Mcg.ApiServer.Hosting;
using Mcg.ApiServer.Http;
using Mcg.Kube.Client;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Tests;

/// <summary>The API server's generic extension point for connect-style subresources (what <c>pods/exec</c> of a virtual cluster uses).</summary>
public sealed class SubresourceHandlerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-subresource-").FullName;
    private EmbeddedApiServer? _server;
    private KubernetesClientKubeClient? _client;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = _dir });
        _client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.KubeconfigPath));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class Echo : ISubresourceHandler
    {
        public List<SubresourceRequest> Seen { get; } = [];

        public Task<JsonObject> HandleAsync(SubresourceRequest request, CancellationToken ct)
        {
            Seen.Add(request);
            if (request.Name == "missing")
            {
                throw new ApiException(404, "NotFound", "pods \"missing\" not found");
            }
            return Task.FromResult(new JsonObject { ["kind"] = "EchoResult", ["body"] = request.Body?.DeepClone(), ["user"] = request.User.Name });
        }
    }

    [Fact]
    public async Task A_registered_handler_answers_after_authentication_and_its_errors_are_statuses()
    {
        var echo = new Echo();
        _server!.Subresources.Register("", "pods", "exec", echo);
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PodExecOptions", ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" }, ["command"] = new JsonArray("read", "/x") };
        var result = await _client!.CreateAsync(Resources.Pods, body, new WriteOptions { Subresource = "exec" });
        Assert.Equal("EchoResult", result["kind"]!.GetValue<string>());
        Assert.Equal("admin", result["user"]!.GetValue<string>());
        var seen = Assert.Single(echo.Seen);
        Assert.Equal(("create", "default", "app"), (seen.Verb, seen.Namespace, seen.Name));
        Assert.Equal("read", seen.Body!["command"]![0]!.GetValue<string>());

        body["metadata"]!["name"] = "missing";
        var error = await Assert.ThrowsAsync<KubeApiException>(() => _client.CreateAsync(Resources.Pods, body, new WriteOptions { Subresource = "exec" }));
        Assert.Equal(404, error.StatusCode);
        Assert.Contains("pods \"missing\" not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_handler_the_subresource_does_not_exist_and_anonymous_callers_are_refused()
    {
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PodAttachOptions", ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" } };
        var error = await Assert.ThrowsAsync<KubeApiException>(() => _client!.CreateAsync(Resources.Pods, body, new WriteOptions { Subresource = "attach" }));
        Assert.Equal(404, error.StatusCode);

        _server!.Subresources.Register("", "pods", "exec", new Echo());
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var response = await http.PostAsync($"{_server.Url}/api/v1/namespaces/default/pods/app/exec", new StringContent("{}"));
        Assert.Equal(401, (int)response.StatusCode);
    }
}
