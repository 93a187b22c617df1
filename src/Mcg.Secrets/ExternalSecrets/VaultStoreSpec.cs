using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>A reference to one key of a Secret (<c>name</c>, <c>key</c>, optional <c>namespace</c>).</summary>
public sealed record SecretKeyRef(string Name, string Key, string? Namespace);

/// <summary><c>caProvider</c>: the CA bundle kept in a Secret or ConfigMap.</summary>
public sealed record CaProviderRef(string Type, string Name, string Key, string? Namespace);

/// <summary><c>auth.kubernetes</c>: log in to a Kubernetes auth mount with a service account JWT.</summary>
public sealed record VaultKubernetesAuth(string MountPath, string Role, string? ServiceAccountName, string? ServiceAccountNamespace,
    IReadOnlyList<string> Audiences, SecretKeyRef? SecretRef);

/// <summary>The <c>spec.provider.vault</c> of a SecretStore or ClusterSecretStore.</summary>
public sealed record VaultStoreSpec
{
    public required string Server { get; init; }

    /// <summary>The KV mount (<c>path</c>); null when keys carry their mount.</summary>
    public string? Path { get; init; }

    /// <summary><c>v1</c> or <c>v2</c> (the default).</summary>
    public string Version { get; init; } = "v2";
    public string? CaBundlePem { get; init; }
    public CaProviderRef? CaProvider { get; init; }
    public SecretKeyRef? TokenSecretRef { get; init; }
    public VaultKubernetesAuth? Kubernetes { get; init; }

    /// <summary>ClusterSecretStore <c>spec.conditions[].namespaces</c>: the namespaces allowed to use it (empty: all).</summary>
    public IReadOnlyList<string> AllowedNamespaces { get; init; } = [];
    public IReadOnlyList<Mcg.Kube.Selectors.LabelSelector> AllowedNamespaceSelectors { get; init; } = [];

    public static VaultStoreSpec Parse(JsonObject store)
    {
        var r = new SpecReader($"{store.Kind()} {Mcg.Kube.Runtime.ObjectKeys.KeyOf(store)}");
        var provider = r.Object(store["spec"], "provider", "spec") ?? throw r.Error("spec.provider", "is required");
        var vault = r.Object(provider, "vault", "spec.provider")
            ?? throw r.Error("spec.provider", $"names no supported provider ({string.Join(", ", provider.Select(p => p.Key))}); only vault is served");
        const string p = "spec.provider.vault";
        var server = r.Required(vault, "server", p);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw r.Error($"{p}.server", $"must be an http(s) URL, not \"{server}\"");
        }
        var version = r.String(vault, "version", p) ?? "v2";
        if (version is not ("v1" or "v2"))
        {
            throw r.Error($"{p}.version", $"must be v1 or v2, not \"{version}\"");
        }
        string? ca = null;
        if (r.String(vault, "caBundle", p) is { Length: > 0 } bundle)
        {
            try
            {
                ca = Encoding.UTF8.GetString(Convert.FromBase64String(bundle));
            }
            catch (FormatException)
            {
                throw r.Error($"{p}.caBundle", "must be base64-encoded PEM");
            }
        }
        CaProviderRef? caProvider = null;
        if (r.Object(vault, "caProvider", p) is { } cp)
        {
            var type = r.Required(cp, "type", $"{p}.caProvider");
            if (type is not ("Secret" or "ConfigMap"))
            {
                throw r.Error($"{p}.caProvider.type", $"must be Secret or ConfigMap, not \"{type}\"");
            }
            caProvider = new CaProviderRef(type, r.Required(cp, "name", $"{p}.caProvider"), r.Required(cp, "key", $"{p}.caProvider"), r.String(cp, "namespace", $"{p}.caProvider"));
        }
        var auth = r.Object(vault, "auth", p) ?? throw r.Error($"{p}.auth", "is required");
        SecretKeyRef? tokenRef = null;
        VaultKubernetesAuth? kubernetes = null;
        if (r.Object(auth, "tokenSecretRef", $"{p}.auth") is { } t)
        {
            tokenRef = KeyRef(r, t, $"{p}.auth.tokenSecretRef");
        }
        if (r.Object(auth, "kubernetes", $"{p}.auth") is { } k)
        {
            var kp = $"{p}.auth.kubernetes";
            var sa = r.Object(k, "serviceAccountRef", kp);
            var secret = r.Object(k, "secretRef", kp);
            kubernetes = new VaultKubernetesAuth(
                r.String(k, "mountPath", kp) ?? "kubernetes",
                r.Required(k, "role", kp),
                sa is null ? null : r.Required(sa, "name", $"{kp}.serviceAccountRef"),
                sa is null ? null : r.String(sa, "namespace", $"{kp}.serviceAccountRef"),
                sa is null ? [] : r.Strings(sa, "audiences", $"{kp}.serviceAccountRef"),
                secret is null ? null : KeyRef(r, secret, $"{kp}.secretRef"));
        }
        if (tokenRef is null && kubernetes is null)
        {
            throw r.Error($"{p}.auth", $"names no supported method ({string.Join(", ", auth.Select(a => a.Key))}); tokenSecretRef and kubernetes are served");
        }
        var namespaces = new List<string>();
        var selectors = new List<Mcg.Kube.Selectors.LabelSelector>();
        foreach (var (condition, i) in r.Objects(store["spec"], "conditions", "spec").Select((c, i) => (c, i)))
        {
            namespaces.AddRange(r.Strings(condition, "namespaces", $"spec.conditions[{i}]"));
            if (r.Object(condition, "namespaceSelector", $"spec.conditions[{i}]") is { } selector)
            {
                selectors.Add(Mcg.Kube.Selectors.LabelSelector.FromObject(selector));
            }
        }
        return new VaultStoreSpec
        {
            Server = server.TrimEnd('/'),
            Path = r.String(vault, "path", p) is { Length: > 0 } path ? path.Trim('/') : null,
            Version = version,
            CaBundlePem = ca,
            CaProvider = caProvider,
            TokenSecretRef = tokenRef,
            Kubernetes = kubernetes,
            AllowedNamespaces = namespaces,
            AllowedNamespaceSelectors = selectors,
        };
    }

    /// <summary>
    /// The API path of a key, as ESO builds it: a key may repeat the store's mount (and, for v2, the <c>data/</c>
    /// segment), so <c>secret/data/global/x</c>, <c>global/x</c> and <c>secret/global/x</c> all read <c>secret/data/global/x</c>.
    /// </summary>
    public string ReadPath(string key)
    {
        var path = key.Trim('/');
        if (Path is { } mount)
        {
            if (path.StartsWith(mount + "/", StringComparison.Ordinal))
            {
                path = path[(mount.Length + 1)..];
                if (Version == "v2" && path.StartsWith("data/", StringComparison.Ordinal))
                {
                    path = path["data/".Length..];
                }
            }
            return Version == "v2" ? $"{mount}/data/{path}" : $"{mount}/{path}";
        }
        if (Version == "v2" && !path.Contains("/data/", StringComparison.Ordinal))
        {
            var slash = path.IndexOf('/');
            return slash < 0 ? path : $"{path[..slash]}/data/{path[(slash + 1)..]}";
        }
        return path;
    }

    private static SecretKeyRef KeyRef(SpecReader r, JsonObject o, string path) =>
        new(r.Required(o, "name", path), r.Required(o, "key", path), r.String(o, "namespace", path));
}
