using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Kube.Client;

/// <summary>
/// <see cref="IKubeClient"/> over the official KubernetesClient package. The package's typed and CustomObjects APIs
/// cannot address arbitrary (incl. core-group) resources as unstructured JSON, so requests are built here and sent
/// through the <see cref="k8s.Kubernetes"/> instance's own <see cref="HttpClient"/> (server URL, TLS with the
/// kubeconfig's CA and client certificate) after its <see cref="k8s.Kubernetes.Credentials"/> have authorized them
/// (bearer token, token file/exec/OIDC providers, basic auth).
/// </summary>
public sealed class KubernetesClientKubeClient : IKubeClient, IDisposable
{
    private const string JsonMediaType = "application/json";

    private readonly k8s.Kubernetes _kubernetes;
    private readonly bool _ownsKubernetes;
    private readonly string _baseUrl;
    private readonly ILogger _logger;
    private readonly DiscoveryCache _discovery;

    public KubernetesClientKubeClient(k8s.KubernetesClientConfiguration config, ILogger<KubernetesClientKubeClient>? logger = null)
        : this(new k8s.Kubernetes(config), logger, ownsKubernetes: true)
    {
    }

    /// <summary>Wraps an existing client; it is not disposed with this one.</summary>
    public KubernetesClientKubeClient(k8s.Kubernetes kubernetes, ILogger<KubernetesClientKubeClient>? logger = null)
        : this(kubernetes, logger, ownsKubernetes: false)
    {
    }

    private KubernetesClientKubeClient(k8s.Kubernetes kubernetes, ILogger? logger, bool ownsKubernetes)
    {
        _kubernetes = kubernetes;
        _ownsKubernetes = ownsKubernetes;
        // Keep a path prefix of the server URL (e.g. a proxy's /k8s/clusters/x): paths are appended, not resolved.
        _baseUrl = kubernetes.BaseUri.ToString().TrimEnd('/');
        _logger = logger ?? NullLogger.Instance;
        _discovery = new DiscoveryCache(GetJsonOrNullAsync);
    }

    /// <summary>
    /// Uses the default configuration of the official client: $KUBECONFIG or ~/.kube/config, else the in-cluster
    /// service account.
    /// </summary>
    public static KubernetesClientKubeClient FromDefaultConfig(ILogger<KubernetesClientKubeClient>? logger = null) =>
        new(k8s.KubernetesClientConfiguration.BuildDefaultConfig(), logger);

    /// <summary>Limit for a request (for a watch: until the response headers); exceeding it throws <see cref="TimeoutException"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct = default) => _discovery.ResolveAsync(gvk, ct);

    public Task<JsonObject?> GetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct = default) =>
        GetJsonOrNullAsync(resource.ItemPath(ns, name), ct);

    public async Task<ObjectList> ListAsync(ResourceRef resource, string? ns, ListOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ListOptions();
        var items = new List<JsonObject>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var query = new Query()
                .Add("labelSelector", options.LabelSelector)
                .Add("fieldSelector", options.FieldSelector)
                .Add("limit", options.PageSize > 0 ? options.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : null)
                .Add("continue", continueToken);
            var page = await SendForObjectAsync(HttpMethod.Get, resource.CollectionPath(ns) + query, null, ct);
            if (page["items"] is JsonArray array)
            {
                var pageItems = array.OfType<JsonObject>().ToList();
                array.Clear(); // detach the items from the page so they can be handed out as roots
                foreach (var item in pageItems)
                {
                    items.Add(WithTypeMeta(item, resource));
                }
            }
            var meta = page["metadata"] as JsonObject;
            resourceVersion = meta?.GetString("resourceVersion") ?? "";
            continueToken = meta?.GetString("continue");
        }
        while (!string.IsNullOrEmpty(continueToken));
        return new ObjectList(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(ResourceRef resource, string? ns,
        WatchOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        options ??= new WatchOptions();
        var query = new Query()
            .Add("watch", "true")
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowWatchBookmarks ? "true" : null)
            .Add("timeoutSeconds", options.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector);
        using var response = await WithTimeoutAsync(async t =>
        {
            var response = await SendAsync(HttpMethod.Get, resource.CollectionPath(ns) + query, null, t);
            try
            {
                await EnsureSuccessAsync(response, t);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            if (JsonNode.Parse(line) is not JsonObject ev)
            {
                throw new InvalidDataException($"watch stream sent a non-object line: {line}");
            }
            var type = ev.GetString("type");
            var obj = ev["object"] as JsonObject;
            ev.Remove("object");
            if (type == "ERROR")
            {
                var status = ApiStatus.FromJson(obj);
                throw KubeApiException.Create(status?.Code is > 0 ? status.Code : 500, status, obj?.ToJsonString());
            }
            if (obj is null)
            {
                throw new InvalidDataException($"watch event without object: {line}");
            }
            yield return type switch
            {
                "ADDED" => (WatchEventType.Added, WithTypeMeta(obj, resource)),
                "MODIFIED" => (WatchEventType.Modified, WithTypeMeta(obj, resource)),
                "DELETED" => (WatchEventType.Deleted, WithTypeMeta(obj, resource)),
                "BOOKMARK" => (WatchEventType.Bookmark, obj),
                _ => throw new InvalidDataException($"unknown watch event type '{type}'"),
            };
        }
        _logger.LogDebug("Watch of {Resource} in {Namespace} ended", resource, ns ?? "(all)");
    }

    public Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) =>
        SendForObjectAsync(HttpMethod.Post,
            (options?.Subresource is { } sub ? resource.ItemPath(NamespaceOf(resource, obj), NameOf(obj), sub) : resource.CollectionPath(NamespaceOf(resource, obj)))
            + WriteQuery(options),
            JsonContent(obj, JsonMediaType), ct);

    public Task<JsonObject> UpdateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) =>
        SendForObjectAsync(HttpMethod.Put, resource.ItemPath(NamespaceOf(resource, obj), NameOf(obj)) + WriteQuery(options),
            JsonContent(obj, JsonMediaType), ct);

    public Task<JsonObject> UpdateStatusAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) =>
        SendForObjectAsync(HttpMethod.Put, resource.ItemPath(NamespaceOf(resource, obj), NameOf(obj), "status") + WriteQuery(options),
            JsonContent(obj, JsonMediaType), ct);

    public Task<JsonObject> PatchAsync(ResourceRef resource, string? ns, string name, PatchType type, JsonNode patch,
        PatchOptions? options = null, CancellationToken ct = default)
    {
        var mediaType = type switch
        {
            PatchType.Merge => "application/merge-patch+json",
            PatchType.Json => "application/json-patch+json",
            PatchType.Strategic => "application/strategic-merge-patch+json",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        var query = new Query().Add("fieldManager", options?.FieldManager).Add("dryRun", options?.DryRun == true ? "All" : null);
        return SendForObjectAsync(HttpMethod.Patch, resource.ItemPath(ns, name, options?.Subresource) + query,
            JsonContent(patch, mediaType), ct);
    }

    public Task<JsonObject> ApplyAsync(ResourceRef resource, JsonObject obj, ApplyOptions options, CancellationToken ct = default)
    {
        var query = new Query()
            .Add("fieldManager", options.FieldManager)
            .Add("force", options.Force ? "true" : null)
            .Add("dryRun", options.DryRun ? "All" : null);
        return SendForObjectAsync(HttpMethod.Patch,
            resource.ItemPath(NamespaceOf(resource, obj), NameOf(obj), options.Subresource) + query,
            JsonContent(obj, "application/apply-patch+yaml"), ct);
    }

    public async Task<bool> DeleteAsync(ResourceRef resource, string? ns, string name, DeleteOptions? options = null,
        CancellationToken ct = default)
    {
        var body = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1" };
        if (options?.PropagationPolicy is { } policy)
        {
            body["propagationPolicy"] = policy.ToString();
        }
        if (options?.GracePeriodSeconds is { } grace)
        {
            body["gracePeriodSeconds"] = grace;
        }
        if (options?.ResourceVersion is not null || options?.Uid is not null)
        {
            var preconditions = new JsonObject();
            if (options.ResourceVersion is { } rv)
            {
                preconditions["resourceVersion"] = rv;
            }
            if (options.Uid is { } uid)
            {
                preconditions["uid"] = uid;
            }
            body["preconditions"] = preconditions;
        }
        if (options?.DryRun == true)
        {
            body["dryRun"] = new JsonArray("All");
        }
        var path = resource.ItemPath(ns, name);
        return await WithTimeoutAsync(async t =>
        {
            using var response = await SendAsync(HttpMethod.Delete, path, JsonContent(body, JsonMediaType), t);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            await EnsureSuccessAsync(response, t);
            return true;
        }, ct);
    }

    public void Dispose()
    {
        if (_ownsKubernetes)
        {
            _kubernetes.Dispose();
        }
    }

    private Task<JsonObject?> GetJsonOrNullAsync(string path, CancellationToken ct) =>
        WithTimeoutAsync(async t =>
        {
            using var response = await SendAsync(HttpMethod.Get, path, null, t);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            await EnsureSuccessAsync(response, t);
            return await ReadObjectAsync(response, t);
        }, ct);

    private Task<JsonObject> SendForObjectAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct) =>
        WithTimeoutAsync(async t =>
        {
            using var response = await SendAsync(method, pathAndQuery, content, t);
            await EnsureSuccessAsync(response, t);
            return await ReadObjectAsync(response, t);
        }, ct);

    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the API request did not complete within {RequestTimeout}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, _baseUrl + pathAndQuery) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        if (_kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, ct);
        }
        _logger.LogTrace("{Method} {Path}", method, pathAndQuery);
        return await _kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        ApiStatus? status = null;
        try
        {
            status = ApiStatus.FromJson(JsonNode.Parse(body));
        }
        catch (System.Text.Json.JsonException)
        {
            // not a Status body; keep the raw text as the message
        }
        throw KubeApiException.Create((int)response.StatusCode, status, body.Length > 0 ? body : response.ReasonPhrase);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonNode.ParseAsync(stream, cancellationToken: ct) as JsonObject
            ?? throw new InvalidDataException("the server's response is not a JSON object");
    }

    private static ByteArrayContent JsonContent(JsonNode body, string mediaType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static Query WriteQuery(WriteOptions? options) =>
        new Query().Add("fieldManager", options?.FieldManager).Add("dryRun", options?.DryRun == true ? "All" : null);

    private static string? NamespaceOf(ResourceRef resource, JsonObject obj) =>
        !resource.Namespaced ? null
        : obj.Namespace() is { Length: > 0 } ns ? ns
        : throw new ArgumentException($"{resource} is namespaced: the object has no metadata.namespace", nameof(obj));

    private static string NameOf(JsonObject obj) =>
        obj.Name() is { Length: > 0 } name ? name : throw new ArgumentException("object has no metadata.name", nameof(obj));

    /// <summary>List items of built-in types come without apiVersion/kind; fill them in so objects are self-describing.</summary>
    private static JsonObject WithTypeMeta(JsonObject obj, ResourceRef resource)
    {
        if (obj["kind"] is null)
        {
            obj.Insert(0, "kind", resource.Kind);
        }
        if (obj["apiVersion"] is null)
        {
            obj.Insert(0, "apiVersion", resource.ApiVersion);
        }
        return obj;
    }

    private sealed class Query
    {
        private readonly StringBuilder _text = new();

        public Query Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
