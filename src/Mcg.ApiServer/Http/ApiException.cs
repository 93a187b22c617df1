using System.Text.Json.Nodes;
using Mcg.ApiServer.Resources;

namespace Mcg.ApiServer.Http;

/// <summary>A failure answered as a meta/v1 Status with the code, reason and details the real API server uses.</summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => Status(Code, Reason, Message, (JsonObject?)Details?.DeepClone());

    public static JsonObject Status(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            // Upstream omits absent details rather than writing null.
            status["details"] = details;
        }
        status["code"] = code;
        return status;
    }

    public static JsonObject DetailsOf(ResourceType rt, string? name, JsonArray? causes = null)
    {
        var d = new JsonObject();
        if (name is not null)
        {
            d["name"] = name;
        }
        if (rt.Group.Length > 0)
        {
            d["group"] = rt.Group;
        }
        d["kind"] = rt.Plural;
        if (causes is not null)
        {
            d["causes"] = causes;
        }
        return d;
    }

    private static string Qualified(ResourceType rt) => rt.Group.Length == 0 ? rt.Plural : $"{rt.Plural}.{rt.Group}";

    public static ApiException NotFound(ResourceType rt, string name) =>
        new(404, "NotFound", $"{Qualified(rt)} \"{name}\" not found", DetailsOf(rt, name));

    public static ApiException AlreadyExists(ResourceType rt, string name) =>
        new(409, "AlreadyExists", $"{Qualified(rt)} \"{name}\" already exists", DetailsOf(rt, name));

    public static ApiException Conflict(ResourceType rt, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(rt)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", DetailsOf(rt, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>422 with one FieldValueInvalid-style cause per field, worded as the real server does.</summary>
    public static ApiException Invalid(ResourceType rt, string name, params (string Field, string Reason, string Message)[] causes)
    {
        var list = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field }).ToArray());
        var summary = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var text = causes.Length == 1 ? summary : $"[{summary}]";
        // The kind is group-qualified as upstream's GroupKind prints it: Deployment.apps, Widget.example.com.
        var kind = rt.Group.Length == 0 ? rt.Kind : $"{rt.Kind}.{rt.Group}";
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {text}", DetailsOf(rt, name, list));
    }

    public static ApiException Forbidden(string message) => new(403, "Forbidden", message);

    /// <summary>403 about one object, worded as apimachinery's NewForbidden: <c>configmaps "x" is forbidden: reason</c>.</summary>
    public static ApiException Forbidden(ResourceType rt, string? name, string reason) =>
        new(403, "Forbidden", string.IsNullOrEmpty(name) ? $"{Qualified(rt)} is forbidden: {reason}" : $"{Qualified(rt)} \"{name}\" is forbidden: {reason}",
            DetailsOf(rt, string.IsNullOrEmpty(name) ? null : name));

    public static ApiException PathNotFound => new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    /// <summary>What upstream's router answers for a method a path does not serve (the verb is not part of the message).</summary>
    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {contentType})");

    /// <summary>415 for a patch type the resource does not take (custom resources have no strategic merge patch).</summary>
    public static ApiException UnsupportedPatchType(ResourceType rt) =>
        new(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
            + (rt.SupportsStrategicMerge
                ? "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
                : "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));

    public static ApiException Expired(string message) => new(410, "Expired", message);
}
