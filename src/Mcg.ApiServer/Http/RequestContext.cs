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
                _ => ParseJson(bytes),
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            throw ApiException.BadRequest($"the request body could not be decoded: {e.Message}");
        }
    }

    /// <summary>
    /// JSON as Go's decoder reads it: a repeated field takes its last value. fieldValidation=Strict rejects that (400),
    /// Warn (the default) answers with a Warning header, Ignore says nothing.
    /// </summary>
    private JsonNode? ParseJson(byte[] bytes)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(bytes);
        var duplicates = new List<string>();
        var node = Convert(doc.RootElement, "", duplicates);
        if (duplicates.Count > 0)
        {
            var text = string.Join(", ", duplicates.Select(d => $"duplicate field \"{d}\""));
            switch (Query("fieldValidation"))
            {
                case "Strict":
                    var kind = Resource.Kind;
                    throw ApiException.BadRequest($"{kind} in version \"{Resource.Version}\" cannot be handled as a {kind}: strict decoding error: {text}");
                case "Ignore":
                    break;
                default:
                    foreach (var d in duplicates)
                    {
                        Http.Response.Headers.Append("Warning", $"299 - \"duplicate field \\\"{d}\\\"\"");
                    }
                    break;
            }
        }
        return node;
    }

    private static JsonNode? Convert(System.Text.Json.JsonElement e, string path, List<string> duplicates)
    {
        switch (e.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var p in e.EnumerateObject())
                {
                    var child = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                    if (obj.ContainsKey(p.Name))
                    {
                        duplicates.Add(child);
                    }
                    obj[p.Name] = Convert(p.Value, child, duplicates);
                }
                return obj;
            case System.Text.Json.JsonValueKind.Array:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    array.Add(Convert(item, $"{path}[{i++}]", duplicates));
                }
                return array;
            case System.Text.Json.JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(e.Clone());
        }
    }

    public async Task<JsonObject> ReadObjectAsync()
    {
        return await ReadBodyAsync() as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }
}
