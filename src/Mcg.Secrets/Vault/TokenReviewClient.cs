using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>The outcome of a TokenReview: authenticated, and as whom.</summary>
public sealed record TokenReviewResult(bool Authenticated, string Username, string Uid, string Error);

/// <summary>
/// Posts <c>authentication.k8s.io/v1</c> TokenReviews to a cluster's API server, trusting only the configured CA
/// (the system roots when none is configured). One HttpClient per (host, CA) pair is kept.
/// </summary>
public sealed class TokenReviewClient : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public async Task<TokenReviewResult> ReviewAsync(KubernetesAuthConfig config, string bearer, string jwt, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        var client = _clients.GetOrAdd(config.KubernetesHost + "\0" + config.KubernetesCaCert, _ => Create(config.KubernetesCaCert));
        var review = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject
            {
                ["token"] = jwt,
                ["audiences"] = audiences.Count == 0 ? null : new JsonArray(audiences.Select(a => (JsonNode)a).ToArray()),
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, config.KubernetesHost.TrimEnd('/') + "/apis/authentication.k8s.io/v1/tokenreviews")
        {
            Content = JsonContent.Create(review),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        if (!response.IsSuccessStatusCode)
        {
            var message = body?["message"]?.GetValue<string>() ?? response.ReasonPhrase ?? "";
            return new TokenReviewResult(false, "", "", $"lookup failed: {(int)response.StatusCode} {message}");
        }
        var status = body?["status"];
        var authenticated = status?["authenticated"]?.GetValue<bool>() ?? false;
        return new TokenReviewResult(authenticated,
            status?["user"]?["username"]?.GetValue<string>() ?? "",
            status?["user"]?["uid"]?.GetValue<string>() ?? "",
            status?["error"]?.GetValue<string>() ?? "");
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values)
        {
            c.Dispose();
        }
        _clients.Clear();
    }

    private static HttpClient Create(string caPem)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (caPem.Trim().Length > 0)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(caPem);
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
                return chain.Build(new X509Certificate2(cert));
            };
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}
