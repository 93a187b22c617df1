using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Client;

/// <summary>A meta/v1 Status as returned with a failed request (or an ERROR watch event).</summary>
public sealed record ApiStatus(int Code, string? Reason, string? Message, JsonObject? Details)
{
    /// <summary>Reads a Status object; null when <paramref name="node"/> is not one.</summary>
    public static ApiStatus? FromJson(JsonNode? node)
    {
        if (node is not JsonObject o || o.Kind() != "Status")
        {
            return null;
        }
        var code = o["code"] is JsonValue v && v.TryGetValue<int>(out var c) ? c : 0;
        return new ApiStatus(code, o.GetString("reason"), o.GetString("message"), o["details"] as JsonObject);
    }
}

/// <summary>An API request failed with an HTTP status; <see cref="Status"/> is the server's meta/v1 Status when it sent one.</summary>
public class KubeApiException(int statusCode, ApiStatus? status, string? message = null)
    : Exception(FormatMessage(statusCode, status, message))
{
    public int StatusCode { get; } = statusCode;
    public ApiStatus? Status { get; } = status;
    public string? Reason => Status?.Reason;

    public bool IsNotFound => StatusCode == 404;
    public bool IsAlreadyExists => StatusCode == 409 && Reason == "AlreadyExists";

    /// <summary>An optimistic-concurrency (resourceVersion) or apply conflict.</summary>
    public bool IsConflict => StatusCode == 409 && Reason != "AlreadyExists";

    /// <summary>Builds the exception for a status code: 410 becomes <see cref="ResourceVersionExpiredException"/>.</summary>
    public static KubeApiException Create(int statusCode, ApiStatus? status, string? message = null) =>
        statusCode == 410
            ? new ResourceVersionExpiredException(status, message)
            : new KubeApiException(statusCode, status, message);

    private static string FormatMessage(int code, ApiStatus? status, string? message) =>
        $"API request failed with {code}{(status?.Reason is { } r ? " " + r : "")}: {status?.Message ?? message ?? "(no message)"}";
}

/// <summary>410 Gone/Expired: the requested resourceVersion is no longer available; list again.</summary>
public sealed class ResourceVersionExpiredException(ApiStatus? status, string? message = null)
    : KubeApiException(410, status, message);

/// <summary>Discovery found no resource serving the kind.</summary>
public sealed class NoKindMatchException(GroupVersionKind gvk)
    : Exception($"no resource found for {gvk}")
{
    public GroupVersionKind Gvk { get; } = gvk;
}
