namespace Mcg.Secrets.Vault;

/// <summary>How <see cref="VaultServer"/> runs: where its state lives and which port it listens on.</summary>
public sealed class VaultServerOptions
{
    /// <summary>Holds <c>vault.db</c> (ciphertext only), <c>audit.log</c>, <c>ca.crt</c>/<c>server.crt</c> and <c>vault-addr</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>HTTPS port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>TTL of tokens created without one (Vault's system default, 768h).</summary>
    public TimeSpan DefaultTokenTtl { get; init; } = TimeSpan.FromHours(768);

    /// <summary>Upper bound of any token TTL (Vault's system max, 768h).</summary>
    public TimeSpan MaxTokenTtl { get; init; } = TimeSpan.FromHours(768);

    /// <summary>How often expired tokens are revoked in the background.</summary>
    public TimeSpan TidyInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Writes one JSON line per request and response to <c>DIR/audit.log</c>, values HMAC'd.</summary>
    public bool AuditLog { get; init; } = true;

    /// <summary>
    /// Mounts <c>secret/</c> as kv-v2 during <c>sys/init</c>, as <c>vault server -dev</c> does. Production Vault has no
    /// default mount; the validated patterns' init playbook checks <c>sys/mounts</c> and enables it only when missing,
    /// so both flows work.
    /// </summary>
    public bool MountSecretAtInit { get; init; } = true;
}
