using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.ApiServer.Auth;

/// <summary>Issues and verifies ServiceAccount JWTs (TokenRequest) in the shape the real API server issues them.</summary>
public sealed class ServiceAccountTokens(byte[] signingKey, TimeProvider clock)
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    public (string Token, DateTimeOffset Expires) Issue(string ns, string name, string uid, IReadOnlyList<string> audiences, long expirationSeconds)
    {
        var now = clock.GetUtcNow();
        var expires = now.AddSeconds(expirationSeconds);
        var claims = new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode)a).ToArray()),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = new JsonObject
            {
                ["namespace"] = ns,
                ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = uid },
            },
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = $"system:serviceaccount:{ns}:{name}",
        };
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        var body = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = Base64Url(HMACSHA256.HashData(signingKey, Encoding.ASCII.GetBytes($"{header}.{body}")));
        return ($"{header}.{body}.{signature}", expires);
    }

    /// <summary>The claims of a token this server issued that is still valid, else null.</summary>
    public ServiceAccountClaims? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        var expected = HMACSHA256.HashData(signingKey, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        byte[] given;
        JsonObject? claims;
        try
        {
            given = FromBase64Url(parts[2]);
            claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, given) || claims is null)
        {
            return null;
        }
        if (claims["exp"]?.GetValue<long>() is not long exp || DateTimeOffset.FromUnixTimeSeconds(exp) <= clock.GetUtcNow())
        {
            return null;
        }
        var k8s = claims["kubernetes.io"];
        var audiences = (claims["aud"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").ToList() ?? [];
        return new ServiceAccountClaims(
            k8s?["namespace"]?.GetValue<string>() ?? "",
            k8s?["serviceaccount"]?["name"]?.GetValue<string>() ?? "",
            k8s?["serviceaccount"]?["uid"]?.GetValue<string>() ?? "",
            audiences);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}

public sealed record ServiceAccountClaims(string Namespace, string Name, string Uid, IReadOnlyList<string> Audiences)
{
    public UserInfo ToUser() => new($"system:serviceaccount:{Namespace}:{Name}",
        ["system:serviceaccounts", $"system:serviceaccounts:{Namespace}", "system:authenticated"], Uid);
}
