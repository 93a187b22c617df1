using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// An authenticated connection to the Vault a store names, as ESO's Vault provider makes it: the CA from
/// <c>caBundle</c>/<c>caProvider</c>, a token from <c>tokenSecretRef</c> or a Kubernetes login (a service account
/// token from the local cluster's TokenRequest API, a JWT from a Secret, or the pod's own token).
/// </summary>
public sealed class VaultStoreClient : IDisposable
{
    private const string PodTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    private readonly VaultClient _client;

    private VaultStoreClient(VaultStoreSpec spec, VaultClient client, DateTimeOffset expires)
    {
        Spec = spec;
        _client = client;
        Expires = expires;
    }

    public VaultStoreSpec Spec { get; }

    /// <summary>When the Vault token should be renewed by logging in again.</summary>
    public DateTimeOffset Expires { get; }

    /// <param name="refNamespace">Where references without a namespace are resolved (the ExternalSecret's, or the SecretStore's).</param>
    public static async Task<VaultStoreClient> ConnectAsync(IKubeClient kube, VaultStoreSpec spec, string refNamespace, TimeProvider clock, CancellationToken ct)
    {
        var ca = spec.CaBundlePem;
        if (spec.CaProvider is { } provider)
        {
            ca = await ReadCaAsync(kube, provider, refNamespace, ct);
        }
        var client = new VaultClient(new VaultClientOptions { Address = spec.Server, CaPem = ca, Timeout = TimeSpan.FromSeconds(15) });
        try
        {
            var now = clock.GetUtcNow();
            if (spec.TokenSecretRef is { } tokenRef)
            {
                client.Token = (await ReadSecretKeyAsync(kube, tokenRef, refNamespace, ct)).Trim();
                return new VaultStoreClient(spec, client, now.AddMinutes(1));
            }
            var auth = spec.Kubernetes!;
            var jwt = await KubernetesJwtAsync(kube, auth, refNamespace, ct);
            var login = await client.KubernetesLoginAsync(auth.MountPath, auth.Role, jwt, useToken: true, ct);
            var lifetime = login.LeaseDuration > 0 ? TimeSpan.FromSeconds(Math.Min(login.LeaseDuration / 2.0, 600)) : TimeSpan.FromMinutes(10);
            return new VaultStoreClient(spec, client, now + lifetime);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>One value: the property of the key's data, or the whole data as JSON when no property is given.</summary>
    public async Task<byte[]> GetSecretAsync(RemoteRef remote, CancellationToken ct)
    {
        var data = await ReadDataAsync(remote, ct);
        if (remote.Property is not { Length: > 0 } property)
        {
            return Encoding.UTF8.GetBytes(data.ToJsonString());
        }
        var value = data.TryGetPropertyValue(property, out var exact) ? exact : Dig(data, property);
        if (value is null)
        {
            throw new KeyNotFoundException($"cannot find secret data for key: \"{property}\"");
        }
        return Bytes(value);
    }

    /// <summary>Every top-level key of the key's data (or of the object at <c>property</c>).</summary>
    public async Task<Dictionary<string, byte[]>> GetSecretMapAsync(RemoteRef remote, CancellationToken ct)
    {
        JsonNode data = await ReadDataAsync(remote, ct);
        if (remote.Property is { Length: > 0 } property)
        {
            data = (data as JsonObject)!.TryGetPropertyValue(property, out var exact) && exact is not null ? exact : Dig(data, property)
                ?? throw new KeyNotFoundException($"cannot find secret data for key: \"{property}\"");
        }
        if (data is not JsonObject map)
        {
            throw new InvalidOperationException($"the value of {remote.Key} is not a map of keys to values");
        }
        return map.ToDictionary(p => p.Key, p => p.Value is null ? [] : Bytes(p.Value), StringComparer.Ordinal);
    }

    public void Dispose() => _client.Dispose();

    private async Task<JsonObject> ReadDataAsync(RemoteRef remote, CancellationToken ct)
    {
        var path = Spec.ReadPath(remote.Key);
        if (Spec.Version == "v2" && remote.Version is { Length: > 0 } version)
        {
            path += "?version=" + Uri.EscapeDataString(version);
        }
        var body = await _client.ReadAsync(path, ct) ?? throw new NoSecretException(remote.Key);
        var data = Spec.Version == "v2" ? body["data"]?["data"] : body["data"];
        return data as JsonObject ?? throw new NoSecretException(remote.Key);
    }

    private static byte[] Bytes(JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Encoding.UTF8.GetBytes(v.GetValue<string>()) : Encoding.UTF8.GetBytes(value.ToJsonString());

    /// <summary>A gjson-style dotted path (<c>a.b.0.c</c>).</summary>
    private static JsonNode? Dig(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            current = current switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    private static async Task<string> KubernetesJwtAsync(IKubeClient kube, VaultKubernetesAuth auth, string refNamespace, CancellationToken ct)
    {
        if (auth.ServiceAccountName is { } sa)
        {
            // As ESO: a short-lived token for audience "vault" (plus any configured ones), 10 minutes.
            var ns = auth.ServiceAccountNamespace ?? refNamespace;
            var audiences = new List<string> { "vault" };
            audiences.AddRange(auth.Audiences);
            var result = await kube.CreateAsync(ResourceRef.ServiceAccounts, new JsonObject
            {
                ["apiVersion"] = "authentication.k8s.io/v1",
                ["kind"] = "TokenRequest",
                ["metadata"] = new JsonObject { ["name"] = sa, ["namespace"] = ns },
                ["spec"] = new JsonObject { ["expirationSeconds"] = 600, ["audiences"] = new JsonArray(audiences.Distinct().Select(a => (JsonNode)a).ToArray()) },
            }, new WriteOptions { Subresource = "token" }, ct);
            return result["status"]?["token"]?.GetValue<string>() ?? throw new InvalidOperationException($"the TokenRequest for {ns}/{sa} returned no token");
        }
        if (auth.SecretRef is { } secretRef)
        {
            return (await ReadSecretKeyAsync(kube, secretRef, refNamespace, ct)).Trim();
        }
        if (File.Exists(PodTokenPath))
        {
            return (await File.ReadAllTextAsync(PodTokenPath, ct)).Trim();
        }
        throw new InvalidOperationException("auth.kubernetes has neither serviceAccountRef nor secretRef and no pod service account token is mounted");
    }

    private static async Task<string> ReadSecretKeyAsync(IKubeClient kube, SecretKeyRef reference, string refNamespace, CancellationToken ct)
    {
        var ns = reference.Namespace ?? refNamespace;
        var secret = await kube.GetAsync(ResourceRef.Secrets, ns, reference.Name, ct)
            ?? throw new InvalidOperationException($"cannot get Kubernetes secret \"{reference.Name}\" in namespace \"{ns}\": not found");
        var encoded = secret["data"]?[reference.Key]?.GetValue<string>()
            ?? throw new InvalidOperationException($"cannot find secret data for key: \"{reference.Key}\" in secret {ns}/{reference.Name}");
        return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
    }

    private static async Task<string> ReadCaAsync(IKubeClient kube, CaProviderRef provider, string refNamespace, CancellationToken ct)
    {
        var ns = provider.Namespace ?? refNamespace;
        if (provider.Type == "Secret")
        {
            return await ReadSecretKeyAsync(kube, new SecretKeyRef(provider.Name, provider.Key, ns), ns, ct);
        }
        var map = await kube.GetAsync(ResourceRef.ConfigMaps, ns, provider.Name, ct)
            ?? throw new InvalidOperationException($"failed to get caProvider ConfigMap {ns}/{provider.Name}: not found");
        return map["data"]?[provider.Key]?.GetValue<string>()
            ?? throw new InvalidOperationException($"failed to get caProvider: ConfigMap {ns}/{provider.Name} has no key \"{provider.Key}\"");
    }
}
