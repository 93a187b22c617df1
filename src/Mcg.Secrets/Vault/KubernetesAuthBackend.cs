using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The Kubernetes auth method (vault-plugin-auth-kubernetes) for every mount of type <c>kubernetes</c>: <c>config</c>,
/// <c>role/&lt;name&gt;</c> and <c>login</c>. A login reads the service account from the JWT, checks the role's namespace
/// and name bindings (globs allowed), verifies the JWT with a TokenReview against <c>kubernetes_host</c> (as the
/// reviewer JWT, or the client's own JWT when none is configured) and issues a token with the role's policies.
/// </summary>
public sealed class KubernetesAuthBackend(SecurityBarrier barrier, TokenStore tokens, TokenReviewClient reviews, ILogger<KubernetesAuthBackend> logger) : IVaultBackend
{
    public bool IsUnauthenticated(VaultRequest request) => request.Relative == "login";

    public async Task<bool?> ExistsAsync(VaultRequest request, CancellationToken ct)
    {
        if (request.Relative.StartsWith("role/", StringComparison.Ordinal))
        {
            return await barrier.GetAsync(RolePath(request.Mount!, request.Relative["role/".Length..]), ct) is not null;
        }
        return null;
    }

    public async Task<VaultResponse> HandleAsync(VaultRequest request, CancellationToken ct)
    {
        var mount = request.Mount!;
        var relative = request.Relative;
        var op = request.Operation;
        if (relative == "config")
        {
            return op switch
            {
                VaultOperation.Read => await ReadConfigAsync(mount, ct),
                VaultOperation.Create or VaultOperation.Update => await WriteConfigAsync(mount, request, ct),
                _ => throw VaultException.UnsupportedOperation(),
            };
        }
        if (relative is "role" or "role/")
        {
            return op == VaultOperation.List
                ? VaultResponse.Keys(await barrier.ListAsync(mount.StoragePrefix(true) + "role/", ct))
                : throw VaultException.UnsupportedOperation();
        }
        if (relative.StartsWith("role/", StringComparison.Ordinal))
        {
            var name = relative["role/".Length..];
            return op switch
            {
                VaultOperation.Read => VaultResponse.Of((await barrier.GetJsonAsync<KubernetesAuthRole>(RolePath(mount, name), ct) ?? throw VaultException.NotFound()).ToJson()),
                VaultOperation.Create or VaultOperation.Update => await WriteRoleAsync(mount, name, request, ct),
                VaultOperation.Delete => await DeleteRoleAsync(mount, name, ct),
                _ => throw VaultException.UnsupportedOperation(),
            };
        }
        if (relative == "login")
        {
            return op is VaultOperation.Create or VaultOperation.Update ? await LoginAsync(mount, request, ct) : throw VaultException.UnsupportedOperation();
        }
        throw VaultException.NoHandler("auth/" + mount.Path + relative);
    }

    private async Task<VaultResponse> ReadConfigAsync(MountEntry mount, CancellationToken ct)
    {
        var config = await barrier.GetJsonAsync<KubernetesAuthConfig>(ConfigPath(mount), ct) ?? throw VaultException.NotFound();
        return VaultResponse.Of(config.ToJson());
    }

    private async Task<VaultResponse> WriteConfigAsync(MountEntry mount, VaultRequest request, CancellationToken ct)
    {
        var existing = await barrier.GetJsonAsync<KubernetesAuthConfig>(ConfigPath(mount), ct);
        var host = request.String("kubernetes_host") ?? existing?.KubernetesHost;
        if (string.IsNullOrEmpty(host))
        {
            throw VaultException.BadRequest("no host provided");
        }
        var ca = request.String("kubernetes_ca_cert") ?? existing?.KubernetesCaCert ?? "";
        if (ca.Trim().Length > 0)
        {
            try
            {
                new System.Security.Cryptography.X509Certificates.X509Certificate2Collection().ImportFromPem(ca);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw VaultException.BadRequest("error parsing kubernetes_ca_cert: not a PEM certificate");
            }
        }
        var config = new KubernetesAuthConfig
        {
            KubernetesHost = host,
            KubernetesCaCert = ca,
            TokenReviewerJwt = request.String("token_reviewer_jwt") ?? existing?.TokenReviewerJwt ?? "",
            PemKeys = request.StringList("pem_keys") ?? existing?.PemKeys ?? [],
            Issuer = request.String("issuer") ?? existing?.Issuer ?? "",
            DisableLocalCaJwt = request.Bool("disable_local_ca_jwt") ?? existing?.DisableLocalCaJwt ?? false,
        };
        await barrier.PutJsonAsync(ConfigPath(mount), config, ct);
        return VaultResponse.NoContent();
    }

    private async Task<VaultResponse> WriteRoleAsync(MountEntry mount, string name, VaultRequest request, CancellationToken ct)
    {
        var existing = await barrier.GetJsonAsync<KubernetesAuthRole>(RolePath(mount, name), ct);
        var names = request.StringList("bound_service_account_names") ?? existing?.BoundServiceAccountNames ?? [];
        var namespaces = request.StringList("bound_service_account_namespaces") ?? existing?.BoundServiceAccountNamespaces ?? [];
        if (names.Count == 0)
        {
            throw VaultException.BadRequest("\"bound_service_account_names\" can not be empty");
        }
        if (namespaces.Count == 0)
        {
            throw VaultException.BadRequest("\"bound_service_account_namespaces\" can not be empty");
        }
        if (names.Count > 1 && names.Contains("*"))
        {
            throw VaultException.BadRequest("can not mix \"*\" with values");
        }
        var role = new KubernetesAuthRole
        {
            BoundServiceAccountNames = names,
            BoundServiceAccountNamespaces = namespaces,
            Audience = request.String("audience") ?? existing?.Audience ?? "",
            AliasNameSource = request.String("alias_name_source") ?? existing?.AliasNameSource ?? "serviceaccount_uid",
            TokenPolicies = (request.StringList("token_policies") ?? request.StringList("policies") ?? existing?.TokenPolicies ?? []).Select(PolicyStore.Normalize).ToList(),
            TokenTtl = Seconds(request.Duration("token_ttl") ?? request.Duration("ttl")) ?? existing?.TokenTtl ?? 0,
            TokenMaxTtl = Seconds(request.Duration("token_max_ttl") ?? request.Duration("max_ttl")) ?? existing?.TokenMaxTtl ?? 0,
            TokenPeriod = Seconds(request.Duration("token_period") ?? request.Duration("period")) ?? existing?.TokenPeriod ?? 0,
            TokenNumUses = (int)(request.Int("token_num_uses") ?? request.Int("num_uses") ?? existing?.TokenNumUses ?? 0),
            TokenNoDefaultPolicy = request.Bool("token_no_default_policy") ?? existing?.TokenNoDefaultPolicy ?? false,
        };
        await barrier.PutJsonAsync(RolePath(mount, name), role, ct);
        return VaultResponse.NoContent();
    }

    private async Task<VaultResponse> DeleteRoleAsync(MountEntry mount, string name, CancellationToken ct)
    {
        await barrier.DeleteAsync(RolePath(mount, name), ct);
        return VaultResponse.NoContent();
    }

    private async Task<VaultResponse> LoginAsync(MountEntry mount, VaultRequest request, CancellationToken ct)
    {
        var roleName = request.String("role");
        if (string.IsNullOrEmpty(roleName))
        {
            throw VaultException.BadRequest("missing role");
        }
        var jwt = request.String("jwt");
        if (string.IsNullOrEmpty(jwt))
        {
            throw VaultException.BadRequest("missing jwt");
        }
        var role = await barrier.GetJsonAsync<KubernetesAuthRole>(RolePath(mount, roleName), ct)
            ?? throw VaultException.BadRequest($"invalid role name \"{roleName}\"");
        var config = await barrier.GetJsonAsync<KubernetesAuthConfig>(ConfigPath(mount), ct)
            ?? throw VaultException.BadRequest("could not load backend configuration");
        var sa = ServiceAccountIdentity.FromJwt(jwt) ?? throw VaultException.BadRequest("failed to parse the JWT: compact JWS format must have three parts");
        if (!GlobMatchesAny(role.BoundServiceAccountNamespaces, sa.Namespace))
        {
            throw VaultException.Forbidden("namespace not authorized");
        }
        if (!GlobMatchesAny(role.BoundServiceAccountNames, sa.Name))
        {
            throw VaultException.Forbidden("service account name not authorized");
        }
        if (role.Audience.Length > 0 && !sa.Audiences.Contains(role.Audience))
        {
            throw VaultException.Forbidden("invalid audience (aud) claim: audience claim does not match any expected audience");
        }

        var bearer = config.TokenReviewerJwt.Length > 0 ? config.TokenReviewerJwt : jwt;
        TokenReviewResult review;
        try
        {
            review = await reviews.ReviewAsync(config, bearer, jwt, role.Audience.Length > 0 ? [role.Audience] : [], ct);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("TokenReview against {Host} failed: {Message}", config.KubernetesHost, e.Message);
            throw VaultException.Internal($"lookup failed: {e.Message}");
        }
        if (!review.Authenticated)
        {
            logger.LogInformation("Kubernetes login to {Mount} for {Namespace}/{Name} rejected: {Error}", mount.Path, sa.Namespace, sa.Name, review.Error);
            throw VaultException.Forbidden(review.Error.StartsWith("lookup failed", StringComparison.Ordinal)
                ? review.Error
                : "lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token");
        }
        if (review.Username != $"system:serviceaccount:{sa.Namespace}:{sa.Name}")
        {
            throw VaultException.Forbidden("JWT names did not match");
        }

        var policies = new List<string>(role.TokenPolicies);
        if (!role.TokenNoDefaultPolicy && !policies.Contains(AclPolicy.Default))
        {
            policies.Add(AclPolicy.Default);
        }
        var entry = await tokens.CreateAsync(new TokenRequest
        {
            Policies = policies,
            Path = $"auth/{mount.Path}login",
            DisplayName = $"{mount.Path.TrimEnd('/')}-{sa.Namespace}-{sa.Name}",
            Meta = new Dictionary<string, string>
            {
                ["role"] = roleName,
                ["service_account_name"] = sa.Name,
                ["service_account_namespace"] = sa.Namespace,
                ["service_account_secret_name"] = sa.SecretName,
                ["service_account_uid"] = sa.Uid.Length > 0 ? sa.Uid : review.Uid,
            },
            Ttl = TimeSpan.FromSeconds(role.TokenTtl),
            ExplicitMaxTtl = TimeSpan.FromSeconds(role.TokenMaxTtl),
            Period = TimeSpan.FromSeconds(role.TokenPeriod),
            NumUses = role.TokenNumUses,
        }, ct);
        return new VaultResponse { Auth = entry.ToAuth(DateTimeOffset.UtcNow) };
    }

    private static bool GlobMatchesAny(IEnumerable<string> patterns, string value) =>
        patterns.Any(p => p == "*" || p == value || p.Contains('*') && Regex.IsMatch(value, "^" + Regex.Escape(p).Replace("\\*", ".*") + "$", RegexOptions.None, TimeSpan.FromSeconds(1)));

    private static long? Seconds(TimeSpan? d) => d is { } t ? (long)t.TotalSeconds : null;

    private static string ConfigPath(MountEntry mount) => mount.StoragePrefix(true) + "config";

    private static string RolePath(MountEntry mount, string name) => mount.StoragePrefix(true) + "role/" + name;
}
