using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>
/// A small typed client for the Vault HTTP API (this server or a real Vault): sys init/unseal/seal/mounts/policies,
/// KV v2, token and Kubernetes auth. Missing paths (404 without data) read as null, as the Go client does.
/// </summary>
public sealed class VaultClient : IDisposable
{
    private readonly HttpClient _http;

    public VaultClient(VaultClientOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrWhiteSpace(options.CaPem))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(options.CaPem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }
                if (cert is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
            };
        }
        _http = new HttpClient(handler) { BaseAddress = new Uri(options.Address.TrimEnd('/') + "/"), Timeout = options.Timeout };
        Token = options.Token;
    }

    /// <summary>The token sent as <c>X-Vault-Token</c>.</summary>
    public string? Token { get; set; }

    // ---- sys ----

    public async Task<VaultInitResponse> InitAsync(int shares, int threshold, CancellationToken ct = default)
    {
        var r = await SendAsync(HttpMethod.Put, "sys/init", new JsonObject { ["secret_shares"] = shares, ["secret_threshold"] = threshold }, ct) ?? [];
        return new VaultInitResponse(Strings(r["keys"]), Strings(r["keys_base64"]), r["root_token"]!.GetValue<string>());
    }

    public async Task<VaultSealStatus> UnsealAsync(string key, CancellationToken ct = default) =>
        SealStatus(await SendAsync(HttpMethod.Put, "sys/unseal", new JsonObject { ["key"] = key }, ct) ?? []);

    public async Task<VaultSealStatus> SealStatusAsync(CancellationToken ct = default) =>
        SealStatus(await SendAsync(HttpMethod.Get, "sys/seal-status", null, ct) ?? []);

    public Task SealAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Put, "sys/seal", null, ct);

    /// <summary>Initialises (if needed) and unseals with the first <c>threshold</c> keys; returns the init answer when it initialised.</summary>
    public async Task<VaultInitResponse?> EnsureInitializedAndUnsealedAsync(IReadOnlyList<string>? keys, int shares = 5, int threshold = 3, CancellationToken ct = default)
    {
        VaultInitResponse? init = null;
        var status = await SealStatusAsync(ct);
        if (!status.Initialized)
        {
            init = await InitAsync(shares, threshold, ct);
            keys = init.Keys;
            Token ??= init.RootToken;
            status = await SealStatusAsync(ct);
        }
        foreach (var key in keys ?? [])
        {
            if (!status.Sealed)
            {
                break;
            }
            status = await UnsealAsync(key, ct);
        }
        return init;
    }

    public Task MountAsync(string path, string type, IReadOnlyDictionary<string, string>? options = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"sys/mounts/{path.Trim('/')}", new JsonObject
        {
            ["type"] = type,
            ["options"] = options is null ? null : new JsonObject(options.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))),
        }, ct);

    public Task MountKvV2Async(string path, CancellationToken ct = default) => MountAsync(path, "kv", new Dictionary<string, string> { ["version"] = "2" }, ct);

    /// <summary>The mount table (<c>sys/mounts</c>): path → entry.</summary>
    public async Task<JsonObject> ListMountsAsync(CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, "sys/mounts", null, ct))?["data"] as JsonObject ?? [];

    public Task EnableAuthAsync(string path, string type, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"sys/auth/{path.Trim('/')}", new JsonObject { ["type"] = type }, ct);

    public async Task<JsonObject> ListAuthAsync(CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, "sys/auth", null, ct))?["data"] as JsonObject ?? [];

    public Task WritePolicyAsync(string name, string hcl, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"sys/policies/acl/{name}", new JsonObject { ["policy"] = hcl }, ct);

    public async Task<string?> ReadPolicyAsync(string name, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, $"sys/policies/acl/{name}", null, ct))?["data"]?["policy"]?.GetValue<string>();

    public Task DeletePolicyAsync(string name, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"sys/policies/acl/{name}", null, ct);

    public Task WritePasswordPolicyAsync(string name, string hcl, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"sys/policies/password/{name}", new JsonObject { ["policy"] = hcl }, ct);

    public async Task<string> GeneratePasswordAsync(string policy, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, $"sys/policies/password/{policy}/generate", null, ct))?["data"]?["password"]?.GetValue<string>()
        ?? throw new VaultApiException(404, [], "GET", $"sys/policies/password/{policy}/generate");

    // ---- KV v2 ----

    /// <summary>A version (latest when <paramref name="version"/> is null); null when the key or version does not exist.</summary>
    public async Task<KvSecret?> KvReadAsync(string mount, string path, long? version = null, CancellationToken ct = default)
    {
        var query = version is { } v ? $"?version={v}" : "";
        var body = await SendAsync(HttpMethod.Get, $"{mount.Trim('/')}/data/{Escape(path)}{query}", null, ct);
        if (body?["data"] is not JsonObject data)
        {
            return null;
        }
        var meta = data["metadata"] as JsonObject ?? [];
        return new KvSecret(data["data"] as JsonObject, meta["version"]?.GetValue<long>() ?? 0, Str(meta["created_time"]), Str(meta["deletion_time"]),
            meta["destroyed"]?.GetValue<bool>() ?? false, meta["custom_metadata"] as JsonObject);
    }

    /// <summary>Writes a new version; <paramref name="cas"/> is the check-and-set version (0: only if absent). Returns the new version.</summary>
    public async Task<long> KvWriteAsync(string mount, string path, JsonObject data, long? cas = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["data"] = data.DeepClone() };
        if (cas is { } c)
        {
            body["options"] = new JsonObject { ["cas"] = c };
        }
        var r = await SendAsync(HttpMethod.Post, $"{mount.Trim('/')}/data/{Escape(path)}", body, ct);
        return r?["data"]?["version"]?.GetValue<long>() ?? 0;
    }

    /// <summary>JSON merge patch of the latest version (PATCH with <c>application/merge-patch+json</c>).</summary>
    public async Task<long> KvPatchAsync(string mount, string path, JsonObject data, long? cas = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["data"] = data.DeepClone() };
        if (cas is { } c)
        {
            body["options"] = new JsonObject { ["cas"] = c };
        }
        var r = await SendAsync(HttpMethod.Patch, $"{mount.Trim('/')}/data/{Escape(path)}", body, ct, "application/merge-patch+json");
        return r?["data"]?["version"]?.GetValue<long>() ?? 0;
    }

    /// <summary>The keys under a folder (folders end in <c>/</c>); empty when there are none.</summary>
    public async Task<IReadOnlyList<string>> KvListAsync(string mount, string path = "", CancellationToken ct = default)
    {
        var folder = path.Trim('/');
        var r = await SendAsync(new HttpMethod("LIST"), $"{mount.Trim('/')}/metadata/{Escape(folder)}{(folder.Length > 0 ? "/" : "")}", null, ct);
        return Strings(r?["data"]?["keys"]);
    }

    /// <summary>Soft-deletes the latest version.</summary>
    public Task KvDeleteAsync(string mount, string path, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"{mount.Trim('/')}/data/{Escape(path)}", null, ct);

    public Task KvDeleteVersionsAsync(string mount, string path, IEnumerable<long> versions, CancellationToken ct = default) =>
        VersionsAsync("delete", mount, path, versions, ct);

    public Task KvUndeleteAsync(string mount, string path, IEnumerable<long> versions, CancellationToken ct = default) =>
        VersionsAsync("undelete", mount, path, versions, ct);

    public Task KvDestroyAsync(string mount, string path, IEnumerable<long> versions, CancellationToken ct = default) =>
        VersionsAsync("destroy", mount, path, versions, ct);

    /// <summary>The key's metadata (<c>current_version</c>, <c>versions</c>, <c>custom_metadata</c>…); null when absent.</summary>
    public async Task<JsonObject?> KvReadMetadataAsync(string mount, string path, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, $"{mount.Trim('/')}/metadata/{Escape(path)}", null, ct))?["data"] as JsonObject;

    public Task KvWriteMetadataAsync(string mount, string path, KvMetadataUpdate update, CancellationToken ct = default)
    {
        var body = new JsonObject();
        if (update.MaxVersions is { } m)
        {
            body["max_versions"] = m;
        }
        if (update.CasRequired is { } c)
        {
            body["cas_required"] = c;
        }
        if (update.DeleteVersionAfter is { } d)
        {
            body["delete_version_after"] = d;
        }
        if (update.CustomMetadata is { } cm)
        {
            body["custom_metadata"] = new JsonObject(cm.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }
        return SendAsync(HttpMethod.Post, $"{mount.Trim('/')}/metadata/{Escape(path)}", body, ct);
    }

    /// <summary>Removes the key, its metadata and every version.</summary>
    public Task KvDeleteMetadataAsync(string mount, string path, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"{mount.Trim('/')}/metadata/{Escape(path)}", null, ct);

    // ---- tokens ----

    public async Task<VaultAuth> CreateTokenAsync(TokenCreateRequest request, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["policies"] = request.Policies is null ? null : new JsonArray(request.Policies.Select(p => (JsonNode)p).ToArray()),
            ["ttl"] = request.Ttl,
            ["renewable"] = request.Renewable,
            ["num_uses"] = request.NumUses,
            ["no_parent"] = request.NoParent,
            ["no_default_policy"] = request.NoDefaultPolicy,
            ["display_name"] = request.DisplayName,
            ["period"] = request.Period,
            ["meta"] = request.Meta is null ? null : new JsonObject(request.Meta.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        return Auth(await SendAsync(HttpMethod.Post, "auth/token/create", body, ct));
    }

    public async Task<JsonObject> LookupSelfAsync(CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, "auth/token/lookup-self", null, ct))?["data"] as JsonObject ?? [];

    public async Task<VaultAuth> RenewSelfAsync(string? increment = null, CancellationToken ct = default) =>
        Auth(await SendAsync(HttpMethod.Post, "auth/token/renew-self", new JsonObject { ["increment"] = increment }, ct));

    public Task RevokeSelfAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "auth/token/revoke-self", null, ct);

    public Task RevokeTokenAsync(string token, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "auth/token/revoke", new JsonObject { ["token"] = token }, ct);

    /// <summary><c>auth/token/lookup-accessor</c>: the token's properties (its <c>id</c> blanked); 400 <c>invalid accessor</c> once it is gone.</summary>
    public async Task<JsonObject> LookupAccessorAsync(string accessor, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, "auth/token/lookup-accessor", new JsonObject { ["accessor"] = accessor }, ct))?["data"] as JsonObject ?? [];

    /// <summary><c>auth/token/renew-accessor</c>: renews a token its holder cannot be asked to renew (a periodic token gets its period again).</summary>
    public async Task<VaultAuth> RenewAccessorAsync(string accessor, string? increment = null, CancellationToken ct = default) =>
        Auth(await SendAsync(HttpMethod.Post, "auth/token/renew-accessor", new JsonObject { ["accessor"] = accessor, ["increment"] = increment }, ct));

    public Task RevokeAccessorAsync(string accessor, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "auth/token/revoke-accessor", new JsonObject { ["accessor"] = accessor }, ct);

    // ---- Kubernetes auth ----

    public Task ConfigureKubernetesAuthAsync(string mount, string kubernetesHost, string? caPem, string? tokenReviewerJwt = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"auth/{mount.Trim('/')}/config", new JsonObject
        {
            ["kubernetes_host"] = kubernetesHost,
            ["kubernetes_ca_cert"] = caPem,
            ["token_reviewer_jwt"] = tokenReviewerJwt,
        }, ct);

    public Task WriteKubernetesRoleAsync(string mount, string role, KubernetesRoleSpec spec, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"auth/{mount.Trim('/')}/role/{role}", new JsonObject
        {
            ["bound_service_account_names"] = new JsonArray(spec.BoundServiceAccountNames.Select(p => (JsonNode)p).ToArray()),
            ["bound_service_account_namespaces"] = new JsonArray(spec.BoundServiceAccountNamespaces.Select(p => (JsonNode)p).ToArray()),
            ["token_policies"] = new JsonArray(spec.Policies.Select(p => (JsonNode)p).ToArray()),
            ["token_ttl"] = spec.Ttl,
            ["audience"] = spec.Audience,
        }, ct);

    /// <summary>Logs in with a service account JWT; with <paramref name="useToken"/> the client then uses the new token.</summary>
    public async Task<VaultAuth> KubernetesLoginAsync(string mount, string role, string jwt, bool useToken = true, CancellationToken ct = default)
    {
        var auth = Auth(await SendAsync(HttpMethod.Post, $"auth/{mount.Trim('/')}/login", new JsonObject { ["role"] = role, ["jwt"] = jwt }, ct));
        if (useToken)
        {
            Token = auth.ClientToken;
        }
        return auth;
    }

    // ---- generic ----

    /// <summary>GET a path; null on a 404 without data.</summary>
    public Task<JsonObject?> ReadAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path.TrimStart('/'), null, ct);

    public Task<JsonObject?> WriteAsync(string path, JsonObject body, CancellationToken ct = default) => SendAsync(HttpMethod.Post, path.TrimStart('/'), body, ct);

    public Task<JsonObject?> DeleteAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, path.TrimStart('/'), null, ct);

    public void Dispose() => _http.Dispose();

    private Task VersionsAsync(string action, string mount, string path, IEnumerable<long> versions, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"{mount.Trim('/')}/{action}/{Escape(path)}", new JsonObject { ["versions"] = new JsonArray(versions.Select(v => (JsonNode)v).ToArray()) }, ct);

    private async Task<JsonObject?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, "v1/" + path);
        if (Token is { Length: > 0 } token)
        {
            request.Headers.Add("X-Vault-Token", token);
        }
        request.Headers.Add("X-Vault-Request", "true");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? json = null;
        if (text.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                json = null;
            }
        }
        if (response.IsSuccessStatusCode)
        {
            return json;
        }
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // As the Go client: a 404 carrying data (a deleted KV version) is returned, otherwise "not found".
            if (json?["data"] is JsonObject || json?["warnings"] is JsonArray { Count: > 0 })
            {
                return json;
            }
            if (json?["errors"] is JsonArray { Count: 0 } || json is null)
            {
                return null;
            }
        }
        throw new VaultApiException((int)response.StatusCode, Strings(json?["errors"]), method.Method, "/v1/" + path);
    }

    private static VaultAuth Auth(JsonObject? body)
    {
        var auth = body?["auth"] as JsonObject ?? throw new InvalidOperationException("response carries no auth block");
        var meta = auth["metadata"] as JsonObject;
        return new VaultAuth(Str(auth["client_token"]), Str(auth["accessor"]), Strings(auth["policies"]), auth["lease_duration"]?.GetValue<long>() ?? 0,
            auth["renewable"]?.GetValue<bool>() ?? false,
            meta?.ToDictionary(p => p.Key, p => Str(p.Value)) ?? new Dictionary<string, string>());
    }

    private static VaultSealStatus SealStatus(JsonObject s) => new(
        s["initialized"]?.GetValue<bool>() ?? false, s["sealed"]?.GetValue<bool>() ?? true,
        s["t"]?.GetValue<int>() ?? 0, s["n"]?.GetValue<int>() ?? 0, s["progress"]?.GetValue<int>() ?? 0);

    private static string Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static IReadOnlyList<string> Strings(JsonNode? n) => n is JsonArray a ? a.Select(Str).ToList() : [];

    private static string Escape(string path) => string.Join('/', path.Trim('/').Split('/').Select(Uri.EscapeDataString));
}
