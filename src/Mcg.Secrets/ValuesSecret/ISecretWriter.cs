namespace Mcg.Secrets.ValuesSecret;

/// <summary>
/// What the secrets loader needs from a secret store: KV v2 reads and writes, Vault password policies and password
/// generation. <see cref="VaultHttpSecretWriter"/> implements it over Vault's HTTP API; tests use an in-memory store.
/// </summary>
public interface ISecretWriter
{
    /// <summary>The current fields of <c>{mount}/{path}</c> (KV v2 latest version), or null when it does not exist or is deleted.</summary>
    Task<IReadOnlyDictionary<string, string>?> ReadFieldsAsync(string mount, string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of <c>{mount}/{path}</c> holding exactly <paramref name="fields"/>.</summary>
    Task WriteAsync(string mount, string path, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the password policy <paramref name="name"/> (HCL, as <c>sys/policies/password/:name</c> takes it).</summary>
    Task EnsurePasswordPolicyAsync(string name, string hcl, CancellationToken cancellationToken = default);

    /// <summary>Generates a password with the named password policy.</summary>
    Task<string> GenerateAsync(string policy, CancellationToken cancellationToken = default);
}
