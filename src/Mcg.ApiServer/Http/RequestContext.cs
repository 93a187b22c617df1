using System.Text.Json.Nodes;
using Mcg.ApiServer.Auth;
using Mcg.ApiServer.Resources;
using Mcg.Kube.Objects;
using Microsoft.AspNetCore.Http;

namespace Mcg.ApiServer.Http;

/// <summary>One resource request: the parsed path, the resolved resource, the user, and helpers to read and answer it.</summary>
public sealed class RequestContext(HttpContext http, RequestInfo info, ResourceType resource, UserInfo user)
{
    private const int MaxBodyBytes = 3 * 1024 * 1024;

    public HttpContext Http { get; } = http;
    public RequestInfo Info { get; } = info;
    public ResourceType Resource { get; } = resource;
    public UserInfo User { get; } = user;
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>
    /// The namespace the object lives in: the URL's for namespaced resources, none for cluster-scoped ones (the path of a
    /// Namespace itself names it, which RequestInfo reports as its namespace for authorization, as upstream does).
    /// </summary>
    public string Namespace => Resource.Namespaced ? Info.Namespace : "";

    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    public bool DryRun => Query("dryRun") is "All";

    public bool WantsTable => TableConverter.Wants(Http.Request.Headers.Accept.ToString());

    /// <summary>The media type without parameters (clients add <c>; charset=utf-8</c>).</summary>
    public string ContentType => (Http.Request.ContentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>The field manager of a write: the query parameter, else the User-Agent's program name, as upstream.</summary>
    public string FieldManager(string fallback)
    {
        var manager = Query("fieldManager");
        if (!string.IsNullOrEmpty(manager))
        {
            if (manager.Length > 128)
            {
                throw ApiException.BadRequest("fieldManager: Too long: may not be longer than 128");
            }
            return manager;
        }
        var agent = Http.Request.Headers.UserAgent.ToString();
        return agent.Length > 0 ? agent.Split('/')[0] : fallback;
    }

    public async Task<JsonNode?> ReadBodyAsync()
    {
        using var buffer = new MemoryStream();
        var body = Http.Request.Body;
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, Aborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
            }
        }
        var bytes = buffer.ToArray();
        if (bytes.Length == 0)
        {
            return null;
        }
        try
        {
            return ContentType switch
            {
                "application/yaml" or "application/apply-patch+yaml" or "text/yaml" => YamlJson.Parse(System.Text.Encoding.UTF8.GetString(bytes), "request body"),
                "application/vnd.kubernetes.protobuf" or "application/apply-patch+cbor" or "application/cbor" => throw ApiException.UnsupportedMediaType(ContentType),
                _ => JsonNode.Parse(bytes),
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            throw ApiException.BadRequest($"the request body could not be decoded: {e.Message}");
        }
    }

    public async Task<JsonObject> ReadObjectAsync()
    {
        return await ReadBodyAsync() as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }
}
