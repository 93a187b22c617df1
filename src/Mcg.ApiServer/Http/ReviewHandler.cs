using System.Text.Json.Nodes;
using Mcg.ApiServer.Auth;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Http;

/// <summary>The create-only, never-stored kinds: TokenReview, (Self)SubjectAccessReview and ServiceAccount TokenRequest.</summary>
public sealed class ReviewHandler(ObjectStore store, Authenticator authenticator, RbacAuthorizer authorizer, ServiceAccountTokens tokens)
{
    public bool Handles(RequestContext rc) =>
        rc.Resource.BuiltIn && (rc.Resource.Plural is "tokenreviews" or "selfsubjectaccessreviews" or "subjectaccessreviews"
            || rc.Resource.Plural == "serviceaccounts" && rc.Info.Subresource == "token");

    public async Task HandleAsync(RequestContext rc)
    {
        if (rc.Info.Verb != "create")
        {
            throw ApiException.MethodNotAllowed();
        }
        var body = await rc.ReadObjectAsync();
        var result = rc.Resource.Plural switch
        {
            "tokenreviews" => TokenReview(body),
            "serviceaccounts" => TokenRequest(rc, body),
            "selfsubjectaccessreviews" => AccessReview(body, rc.User),
            _ => AccessReview(body, new UserInfo(body["spec"]?["user"]?.GetValue<string>() ?? "",
                (body["spec"]?["groups"] as JsonArray)?.Select(g => g?.GetValue<string>() ?? "").ToList() ?? [])),
        };
        await Responses.WriteJsonAsync(rc.Http, result, 201);
    }

    private JsonObject TokenReview(JsonObject review)
    {
        var token = review["spec"]?["token"]?.GetValue<string>() ?? "";
        var user = token.Length > 0 ? authenticator.AuthenticateToken(token) : null;
        var wanted = (review["spec"]?["audiences"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").ToList() ?? [];
        var claims = tokens.Verify(token);
        var audiences = claims?.Audiences.ToList() ?? [];
        if (user is not null && wanted.Count > 0 && claims is not null && !wanted.Intersect(audiences).Any())
        {
            user = null;
        }
        var status = new JsonObject { ["authenticated"] = user is not null };
        if (user is not null)
        {
            status["user"] = new JsonObject
            {
                ["username"] = user.Name,
                ["uid"] = user.Uid,
                ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray()),
            };
            status["audiences"] = new JsonArray((wanted.Count > 0 ? wanted : audiences).Select(a => (JsonNode)a).ToArray());
        }
        else
        {
            status["error"] = "invalid bearer token";
        }
        review["status"] = status;
        review.Metadata()["creationTimestamp"] = null;
        return review;
    }

    private JsonObject TokenRequest(RequestContext rc, JsonObject request)
    {
        var sa = store.Get(rc.Resource.StorageKey, rc.Namespace, rc.Info.Name)
            ?? throw ApiException.NotFound(rc.Resource, rc.Info.Name);
        var spec = request["spec"] as JsonObject ?? new JsonObject();
        var seconds = spec["expirationSeconds"]?.GetValue<long>() ?? 3600;
        if (seconds < 600)
        {
            throw ApiException.BadRequest("spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes");
        }
        var audiences = (spec["audiences"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").ToList() is { Count: > 0 } given
            ? given
            : [ServiceAccountTokens.Issuer];
        var (token, expires) = tokens.Issue(sa.Namespace, sa.Name, sa.Uid, audiences, seconds);
        spec["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)a).ToArray());
        spec["expirationSeconds"] = seconds;
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = sa.Name, ["namespace"] = sa.Namespace, ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = ObjectRules.Timestamp(expires) },
        };
    }

    private JsonObject AccessReview(JsonObject review, UserInfo user)
    {
        var attrs = review["spec"]?["resourceAttributes"];
        var nonResource = review["spec"]?["nonResourceAttributes"];
        var info = attrs is not null
            ? new RequestInfo(true, "", attrs["verb"]?.GetValue<string>() ?? "", attrs["group"]?.GetValue<string>() ?? "",
                attrs["version"]?.GetValue<string>() ?? "", attrs["namespace"]?.GetValue<string>() ?? "", attrs["resource"]?.GetValue<string>() ?? "",
                attrs["name"]?.GetValue<string>() ?? "", attrs["subresource"]?.GetValue<string>() ?? "")
            : new RequestInfo(false, nonResource?["path"]?.GetValue<string>() ?? "", nonResource?["verb"]?.GetValue<string>() ?? "");
        var allowed = authorizer.Allows(user, info);
        review["status"] = new JsonObject { ["allowed"] = allowed, ["reason"] = allowed ? "allowed by RBAC" : "" };
        review.Metadata()["creationTimestamp"] = null;
        return review;
    }
}
