using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary><c>auth/&lt;mount&gt;/config</c> of a Kubernetes auth method.</summary>
public sealed record KubernetesAuthConfig
{
    public required string KubernetesHost { get; init; }
    public string KubernetesCaCert { get; init; } = "";
    public string TokenReviewerJwt { get; init; } = "";
    public List<string> PemKeys { get; init; } = [];
    public string Issuer { get; init; } = "";
    public bool DisableLocalCaJwt { get; init; }

    public JsonObject ToJson() => new()
    {
        ["kubernetes_host"] = KubernetesHost,
        ["kubernetes_ca_cert"] = KubernetesCaCert,
        ["pem_keys"] = new JsonArray(PemKeys.Select(k => (JsonNode)k).ToArray()),
        ["issuer"] = Issuer,
        ["disable_iss_validation"] = true,
        ["disable_local_ca_jwt"] = DisableLocalCaJwt,
        ["token_reviewer_jwt_set"] = TokenReviewerJwt.Length > 0,
        ["use_annotations_as_alias_metadata"] = false,
    };
}

/// <summary><c>auth/&lt;mount&gt;/role/&lt;name&gt;</c>: which service accounts may log in, and what their tokens get.</summary>
public sealed record KubernetesAuthRole
{
    public required List<string> BoundServiceAccountNames { get; init; }
    public required List<string> BoundServiceAccountNamespaces { get; init; }
    public string Audience { get; init; } = "";
    public string AliasNameSource { get; init; } = "serviceaccount_uid";
    public List<string> TokenPolicies { get; init; } = [];
    public long TokenTtl { get; init; }
    public long TokenMaxTtl { get; init; }
    public long TokenPeriod { get; init; }
    public int TokenNumUses { get; init; }
    public bool TokenNoDefaultPolicy { get; init; }

    public JsonObject ToJson()
    {
        JsonArray Strings(IEnumerable<string> s) => new(s.Select(x => (JsonNode)x).ToArray());
        return new JsonObject
        {
            ["alias_name_source"] = AliasNameSource,
            ["audience"] = Audience,
            ["bound_service_account_names"] = Strings(BoundServiceAccountNames),
            ["bound_service_account_namespace_selector"] = "",
            ["bound_service_account_namespaces"] = Strings(BoundServiceAccountNamespaces),
            ["max_ttl"] = TokenMaxTtl,
            ["num_uses"] = TokenNumUses,
            ["period"] = TokenPeriod,
            ["policies"] = Strings(TokenPolicies),
            ["token_bound_cidrs"] = new JsonArray(),
            ["token_explicit_max_ttl"] = 0,
            ["token_max_ttl"] = TokenMaxTtl,
            ["token_no_default_policy"] = TokenNoDefaultPolicy,
            ["token_num_uses"] = TokenNumUses,
            ["token_period"] = TokenPeriod,
            ["token_policies"] = Strings(TokenPolicies),
            ["token_ttl"] = TokenTtl,
            ["token_type"] = "default",
            ["ttl"] = TokenTtl,
        };
    }
}

/// <summary>The service account a JWT names, from projected (<c>kubernetes.io</c>) or legacy secret-token claims.</summary>
public sealed record ServiceAccountIdentity(string Namespace, string Name, string Uid, string SecretName, IReadOnlyList<string> Audiences)
{
    /// <summary>Reads the (unverified) claims; the TokenReview is what authenticates the token.</summary>
    public static ServiceAccountIdentity? FromJwt(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        JsonObject? claims;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload += new string('=', (4 - payload.Length % 4) % 4);
            claims = JsonNode.Parse(Convert.FromBase64String(payload)) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
        if (claims is null)
        {
            return null;
        }
        string Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "";
        var audiences = claims["aud"] switch
        {
            JsonArray a => a.Select(Str).ToList(),
            JsonValue v => [Str(v)],
            _ => new List<string>(),
        };
        if (claims["kubernetes.io"] is JsonObject k8s)
        {
            return new ServiceAccountIdentity(Str(k8s["namespace"]), Str(k8s["serviceaccount"]?["name"]), Str(k8s["serviceaccount"]?["uid"]), "", audiences);
        }
        return new ServiceAccountIdentity(
            Str(claims["kubernetes.io/serviceaccount/namespace"]),
            Str(claims["kubernetes.io/serviceaccount/service-account.name"]),
            Str(claims["kubernetes.io/serviceaccount/service-account.uid"]),
            Str(claims["kubernetes.io/serviceaccount/secret.name"]),
            audiences);
    }
}
