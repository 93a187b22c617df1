using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Auth;
using Mcg.ApiServer.Extensions;
using Mcg.ApiServer.Http;
using Mcg.ApiServer.Resources;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mcg.ApiServer.Hosting;

/// <summary>The request pipeline: parse, authenticate, authorize, then discovery/OpenAPI or the resource handlers.</summary>
public sealed class ApiRouter(
    ResourceRegistry registry,
    Authenticator authenticator,
    RbacAuthorizer authorizer,
    ResourceHandler resources,
    ReviewHandler reviews,
    Discovery discovery,
    OpenApi openApi,
    ApiServerMetrics metrics,
    ApiServerOptions options,
    SubresourceHandlers subresources,
    ILogger<ApiRouter> logger)
{
    public async Task HandleAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var path = http.Request.Path.Value ?? "/";
        var watch = http.Request.Query["watch"] is var w && (w == "true" || w == "1");
        var info = RequestInfo.Parse(http.Request.Method, path, watch);
        try
        {
            using (metrics.TrackLongRunning(info, http.Request))
            {
                await RouteAsync(http, path, info);
            }
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await Responses.WriteStatusAsync(http, e);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            logger.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
            await Responses.WriteStatusAsync(http, new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
        finally
        {
            metrics.Record(info, http, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task RouteAsync(HttpContext http, string path, RequestInfo info)
    {
        if (path is "/healthz" or "/livez" or "/readyz" or "/version")
        {
            await (path == "/version"
                ? Responses.WriteJsonAsync(http, Discovery.Version(), 200)
                : WriteTextAsync(http, "ok"));
            return;
        }
        var user = authenticator.Authenticate(http.Request.Headers.Authorization.ToString())
            ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
        if (!authorizer.Allows(user, info))
        {
            throw ApiException.Forbidden(RbacAuthorizer.ForbiddenMessage(user, info));
        }
        if (path == "/metrics" && options.Metrics is { } serveMetrics)
        {
            // Like kube-apiserver: a non-resource URL, so scrapers need a token allowed to GET /metrics.
            await serveMetrics(http);
            return;
        }
        if (!info.IsResourceRequest)
        {
            await ServeNonResourceAsync(http, path);
            return;
        }
        var rt = registry.Find(info.Group, info.Version, info.Resource);
        if (rt is null)
        {
            throw ApiException.PathNotFound;
        }
        if (info.Subresource.Length > 0 && subresources.Find(info.Group, info.Resource, info.Subresource) is { } handler)
        {
            await ServeSubresourceAsync(http, info, user, handler);
            return;
        }
        var rc = new RequestContext(http, info, rt, user);
        if (reviews.Handles(rc))
        {
            await reviews.HandleAsync(rc);
            return;
        }
        await resources.HandleAsync(rc);
    }

    private static async Task ServeSubresourceAsync(HttpContext http, RequestInfo info, UserInfo user, ISubresourceHandler handler)
    {
        JsonNode? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw ApiException.BadRequest($"the request body of {info.Resource}/{info.Subresource} is not JSON: {e.Message}");
            }
        }
        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.Select(v => v ?? "").ToArray());
        var result = await handler.HandleAsync(new SubresourceRequest(info.Verb, info.Namespace, info.Name, body, query, user), http.RequestAborted);
        await Responses.WriteJsonAsync(http, result, info.Verb == "create" ? 201 : 200);
    }

    private async Task ServeNonResourceAsync(HttpContext http, string path)
    {
        var parts = path.Trim('/').Split('/');
        var aggregated = http.Request.Headers.Accept.ToString().Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal);
        JsonNode? body = parts switch
        {
            ["api"] when aggregated => discovery.Aggregated(core: true),
            ["api"] => discovery.LegacyApi(http.Request.Host.Value ?? "127.0.0.1"),
            ["apis"] when aggregated => discovery.Aggregated(core: false),
            ["apis"] => discovery.GroupList(),
            ["api", var v] => discovery.ResourceList("", v),
            ["apis", var g] => GroupDocument(g),
            ["apis", var g, var v] => discovery.ResourceList(g, v),
            ["openapi", "v3"] => openApi.Root(),
            ["openapi", "v3", "api", var v] => openApi.GroupVersion("", v),
            ["openapi", "v3", "apis", var g, var v] => openApi.GroupVersion(g, v),
            _ => null,
        };
        if (body is null)
        {
            throw ApiException.PathNotFound;
        }
        var contentType = aggregated && parts is ["api"] or ["apis"] ? Discovery.AggregatedContentType : "application/json";
        await Responses.WriteJsonAsync(http, body, 200, contentType);
    }

    private JsonObject? GroupDocument(string group)
    {
        var list = discovery.GroupList()["groups"] as JsonArray;
        var entry = list?.OfType<JsonObject>().FirstOrDefault(g => g["name"]?.GetValue<string>() == group);
        if (entry is null)
        {
            return null;
        }
        var doc = (JsonObject)entry.DeepClone();
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    private static async Task WriteTextAsync(HttpContext http, string text)
    {
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(text);
    }
}
