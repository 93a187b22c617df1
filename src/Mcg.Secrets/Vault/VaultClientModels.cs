using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>Where and how <see cref="VaultClient"/> connects.</summary>
public sealed class VaultClientOptions
{
    /// <summary>The server URL, e.g. <c>https://127.0.0.1:8200</c> (as in <c>VAULT_ADDR</c>).</summary>
    public required string Address { get; init; }

    /// <summary>The initial token (as in <c>VAULT_TOKEN</c>).</summary>
    public string? Token { get; init; }

    /// <summary>PEM of the CA to trust instead of the system roots (as in <c>VAULT_CACERT</c>).</summary>
    public string? CaPem { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>A non-success answer: the status and Vault's <c>errors</c>.</summary>
public sealed class VaultApiException(int status, IReadOnlyList<string> errors, string method, string path)
    : Exception($"Error making API request.\n\nURL: {method} {path}\nCode: {status}. Errors:\n\n" + string.Join("\n", errors.Select(e => "* " + e)))
{
    public int StatusCode { get; } = status;
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The answer of <c>sys/init</c>.</summary>
public sealed record VaultInitResponse(IReadOnlyList<string> Keys, IReadOnlyList<string> KeysBase64, string RootToken);

/// <summary>The answer of <c>sys/seal-status</c> and <c>sys/unseal</c>.</summary>
public sealed record VaultSealStatus(bool Initialized, bool Sealed, int Threshold, int Shares, int Progress);

/// <summary>The <c>auth</c> block of a login or token creation.</summary>
public sealed record VaultAuth(string ClientToken, string Accessor, IReadOnlyList<string> Policies, long LeaseDuration, bool Renewable, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A KV v2 version: its data (null when deleted or destroyed) and metadata.</summary>
public sealed record KvSecret(JsonObject? Data, long Version, string CreatedTime, string DeletionTime, bool Destroyed, JsonObject? CustomMetadata);

/// <summary>Fields of <c>POST metadata/&lt;path&gt;</c>; null fields are left unchanged.</summary>
public sealed record KvMetadataUpdate
{
    public int? MaxVersions { get; init; }
    public bool? CasRequired { get; init; }
    public string? DeleteVersionAfter { get; init; }
    public IReadOnlyDictionary<string, string>? CustomMetadata { get; init; }
}

/// <summary>Fields of <c>auth/token/create</c>.</summary>
public sealed record TokenCreateRequest
{
    public IReadOnlyList<string>? Policies { get; init; }
    public string? Ttl { get; init; }
    public bool? Renewable { get; init; }
    public int? NumUses { get; init; }
    public bool NoParent { get; init; }
    public bool NoDefaultPolicy { get; init; }
    public string? DisplayName { get; init; }

    /// <summary>A periodic token: every renewal gives it this TTL again, with no maximum (e.g. <c>24h</c>).</summary>
    public string? Period { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}

/// <summary>Fields of <c>auth/&lt;mount&gt;/role/&lt;name&gt;</c> for the Kubernetes auth method.</summary>
public sealed record KubernetesRoleSpec
{
    public required IReadOnlyList<string> BoundServiceAccountNames { get; init; }
    public required IReadOnlyList<string> BoundServiceAccountNamespaces { get; init; }
    public required IReadOnlyList<string> Policies { get; init; }
    public string? Ttl { get; init; }
    public string? Audience { get; init; }
}
