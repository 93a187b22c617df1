using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.ValuesSecret;

/// <summary>A Vault API call failed; <see cref="Errors"/> is Vault's <c>errors</c> array.</summary>
public sealed class VaultApiException : Exception
{
    public VaultApiException(string method, string path, HttpStatusCode status, IReadOnlyList<string> errors)
        : base($"Vault {method} /v1/{path}: {(int)status} {status}{(errors.Count > 0 ? ": " + string.Join("; ", errors) : "")}")
    {
        StatusCode = status;
        Errors = errors;
    }

    public VaultApiException(string message) : base(message)
    {
        Errors = [];
    }

    public HttpStatusCode? StatusCode { get; }

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// <see cref="ISecretWriter"/> over Vault's HTTP API: KV v2 <c>GET|POST /v1/{mount}/data/{path}</c>,
/// <c>PUT /v1/sys/policies/password/{name}</c> and <c>GET /v1/sys/policies/password/{name}/generate</c>, with the token
/// in <c>X-Vault-Token</c>. Works against HashiCorp Vault and mcg's Vault-compatible server.
/// </summary>
public sealed class VaultHttpSecretWriter : ISecretWriter, IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsClient;
    private readonly Dictionary<string, Task> checkedMounts = new(StringComparer.Ordinal);

    /// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the Vault address (e.g. https://vault:8200).</param>
    /// <param name="token">The Vault token.</param>
    /// <param name="ownsClient">Dispose <paramref name="http"/> with this writer.</param>
    public VaultHttpSecretWriter(HttpClient http, string token, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(http.BaseAddress, "http.BaseAddress");
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("a Vault token is required", nameof(token));
        }
        this.http = http;
        this.ownsClient = ownsClient;
        if (!http.BaseAddress.AbsoluteUri.EndsWith('/'))
        {
            http.BaseAddress = new Uri(http.BaseAddress.AbsoluteUri + "/");
        }
        http.DefaultRequestHeaders.Remove("X-Vault-Token");
        http.DefaultRequestHeaders.Add("X-Vault-Token", token.Trim());
        http.DefaultRequestHeaders.Remove("X-Vault-Request");
        http.DefaultRequestHeaders.Add("X-Vault-Request", "true");
    }

    /// <summary>A writer with its own HttpClient. <paramref name="caCertFile"/> (PEM) replaces the system roots, like <c>VAULT_CACERT</c>.</summary>
    public static VaultHttpSecretWriter Create(Uri address, string token, string? caCertFile = null)
    {
        var handler = new SocketsHttpHandler();
        if (caCertFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caCertFile);
            if (roots.Count == 0)
            {
                throw new ArgumentException($"no PEM certificates in {caCertFile}", nameof(caCertFile));
            }
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            {
                if (cert is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                {
                    return false;
                }
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.AddRange(roots);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    foreach (var element in chain.ChainElements)
                    {
                        custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                    }
                }
                return custom.Build(new X509Certificate2(cert));
            };
        }
        return new VaultHttpSecretWriter(new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) }, token, ownsClient: true);
    }

    public async Task<IReadOnlyDictionary<string, string>?> ReadFieldsAsync(string mount, string path, CancellationToken cancellationToken = default)
    {
        await CheckMountAsync(mount, cancellationToken);
        var apiPath = $"{Escape(mount)}/data/{Escape(path)}";
        using var response = await http.GetAsync("v1/" + apiPath, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Missing: {"errors":[]}; soft-deleted or destroyed latest version: data.data is null (with metadata).
            return null;
        }
        var body = await ReadBodyAsync(response, "GET", apiPath, cancellationToken);
        if (body?["data"]?["data"] is not JsonObject data)
        {
            return null;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in data)
        {
            fields[k] = v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString() ?? "";
        }
        return fields;
    }

    public async Task WriteAsync(string mount, string path, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        await CheckMountAsync(mount, cancellationToken);
        var data = new JsonObject();
        foreach (var (k, v) in fields)
        {
            data[k] = v;
        }
        var apiPath = $"{Escape(mount)}/data/{Escape(path)}";
        using var response = await http.PostAsync("v1/" + apiPath, Json(new JsonObject { ["data"] = data }), cancellationToken);
        await ReadBodyAsync(response, "POST", apiPath, cancellationToken);
    }

    public async Task EnsurePasswordPolicyAsync(string name, string hcl, CancellationToken cancellationToken = default)
    {
        var apiPath = $"sys/policies/password/{Escape(name)}";
        using var response = await http.PutAsync("v1/" + apiPath, Json(new JsonObject { ["policy"] = hcl }), cancellationToken);
        await ReadBodyAsync(response, "PUT", apiPath, cancellationToken);
    }

    public async Task<string> GenerateAsync(string policy, CancellationToken cancellationToken = default)
    {
        var apiPath = $"sys/policies/password/{Escape(policy)}/generate";
        using var response = await http.GetAsync("v1/" + apiPath, cancellationToken);
        var body = await ReadBodyAsync(response, "GET", apiPath, cancellationToken);
        return body?["data"]?["password"] is JsonValue pw && pw.GetValueKind() == JsonValueKind.String
            ? pw.GetValue<string>()
            : throw new VaultApiException($"Vault GET /v1/{apiPath}: the response has no data.password");
    }

    /// <summary>
    /// The <c>vault kv</c> preflight (<c>GET sys/internal/ui/mounts/:mount</c>): refuses a KV v1 or non-KV mount, where
    /// <c>{mount}/data/...</c> would silently be a different path. Servers without the endpoint are assumed KV v2.
    /// </summary>
    private Task CheckMountAsync(string mount, CancellationToken cancellationToken)
    {
        lock (checkedMounts)
        {
            if (!checkedMounts.TryGetValue(mount, out var task) || task.IsFaulted || task.IsCanceled)
            {
                task = CheckMountCoreAsync(mount, cancellationToken);
                checkedMounts[mount] = task;
            }
            return task;
        }
    }

    private async Task CheckMountCoreAsync(string mount, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"v1/sys/internal/ui/mounts/{Escape(mount)}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return;
        }
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (JsonException)
        {
            return;
        }
        var data = body?["data"];
        var type = data?["type"]?.GetValueKind() == JsonValueKind.String ? data["type"]!.GetValue<string>() : null;
        var version = data?["options"]?["version"]?.ToString();
        if (type is not null && type != "kv")
        {
            throw new VaultApiException($"Vault mount {mount}/ is of type {type}, not a KV secrets engine");
        }
        if (type == "kv" && version != "2")
        {
            throw new VaultApiException($"Vault mount {mount}/ is KV version {version ?? "1"}; secrets are loaded into KV version 2 mounts");
        }
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpResponseMessage response, string method, string apiPath, CancellationToken cancellationToken)
    {
        var text = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException) when (!response.IsSuccessStatusCode)
            {
                throw new VaultApiException(method, apiPath, response.StatusCode, [text.Trim()]);
            }
        }
        if (!response.IsSuccessStatusCode)
        {
            var errors = (body?["errors"] as JsonArray)?.Select(e => e?.ToString() ?? "").ToList() ?? [];
            throw new VaultApiException(method, apiPath, response.StatusCode, errors);
        }
        return body;
    }

    private static StringContent Json(JsonNode body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>URL-escapes each segment of a Vault path, keeping the slashes.</summary>
    internal static string Escape(string path) => string.Join('/', path.Trim('/').Split('/').Select(Uri.EscapeDataString));

    public void Dispose()
    {
        if (ownsClient)
        {
            http.Dispose();
        }
    }
}
