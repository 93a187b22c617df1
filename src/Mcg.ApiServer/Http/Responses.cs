using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;
using Microsoft.AspNetCore.Http;

namespace Mcg.ApiServer.Http;

/// <summary>Writing JSON answers; lists are streamed from the stored bytes without re-serialising each object.</summary>
public static class Responses
{
    public static async Task WriteJsonAsync(HttpContext http, JsonNode body, int status, string contentType = "application/json")
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        await http.Response.Body.WriteAsync(KubeJson.SerializeToUtf8(body), http.RequestAborted);
    }

    public static Task WriteObjectAsync(RequestContext rc, JsonObject obj, int status)
    {
        if (rc.WantsTable && rc.Http.Request.Method == "GET")
        {
            return WriteJsonAsync(rc.Http, TableConverter.Convert(rc.Resource, [obj], obj["metadata"]?["resourceVersion"]?.ToString() ?? "", null, DateTimeOffset.UtcNow), status);
        }
        return WriteJsonAsync(rc.Http, obj, status);
    }

    public static async Task WriteListAsync(RequestContext rc, IReadOnlyList<StoredObject> items, long rv, string? continueToken)
    {
        var rt = rc.Resource;
        var response = rc.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }
        var head = $"{{\"kind\":\"{rt.ListKind}\",\"apiVersion\":\"{rt.GroupVersion}\",\"metadata\":{metadata.ToJsonString()},\"items\":[";
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.UTF8.GetBytes(head));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }
            var o = items[i];
            buffer.Write(o.ApiVersion == rt.GroupVersion
                ? o.Json
                : KubeJson.SerializeToUtf8(ResourceHandler.AsVersion(rt, o.Object)));
        }
        buffer.Write("]}"u8);
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(response.Body, rc.Aborted);
    }

    public static Task WriteStatusAsync(HttpContext http, ApiException e) =>
        WriteJsonAsync(http, e.ToStatus(), e.Code);
}
