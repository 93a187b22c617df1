using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Cli.Install;

/// <summary>
/// <c>mcg install --vault-addr URL --vault-token-file FILE</c>: the user's own Vault instead of the hub's. The token is
/// read (Ansible-Vault encrypted as the patterns keep it, or plain), the Vault checked (reachable, initialised,
/// unsealed, token valid), the patterns' layout made (kv-v2 <c>secret/</c>), and — after the secrets are loaded — every
/// cluster's token issued (<see cref="ExternalVaultTokens"/>) and the configuration kept on the hub for the clusters that
/// join later. Nothing here prints a token.
/// </summary>
public sealed class ExternalVault(InstallOptions options, TextWriter output)
{
    private const string FieldManager = "mcg-install";

    public string Address => options.VaultAddress!;

    /// <summary>Reads the token and the CA and checks the Vault; changes nothing.</summary>
    public async Task<ExternalVaultConfig> ConnectAsync(Func<string, VaultPassword>? password, CancellationToken ct)
    {
        var token = ReadToken(options.VaultTokenFile ?? throw new InstallException("--vault-addr needs --vault-token-file (the Vault token, plain or Ansible-Vault encrypted)"), password);
        string? ca = null;
        if (options.VaultCaFile is { } caFile)
        {
            ca = File.Exists(caFile) ? await File.ReadAllTextAsync(caFile, ct) : throw new InstallException($"--vault-ca-file {caFile}: no such file");
            if (!ca.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                throw new InstallException($"--vault-ca-file {caFile}: not a PEM certificate");
            }
        }
        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InstallException($"--vault-addr {Address}: not an http(s) URL");
        }
        var config = new ExternalVaultConfig(Address.TrimEnd('/'), ca, token);
        using var vault = config.CreateClient();
        VaultSealStatus status;
        try
        {
            status = await vault.SealStatusAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var hint = e.InnerException is System.Security.Authentication.AuthenticationException ? " (its certificate is not trusted: pass its CA with --vault-ca-file)" : "";
            throw new InstallException($"--vault-addr {Address}: Vault is not reachable: {ExternalSecretReconciler.Flatten(e)}{hint}", e);
        }
        if (!status.Initialized)
        {
            throw new InstallException($"--vault-addr {Address}: that Vault is not initialised (vault operator init): mcg install uses an external Vault as it is and does not initialise it");
        }
        if (status.Sealed)
        {
            throw new InstallException($"--vault-addr {Address}: that Vault is sealed ({status.Progress} of {status.Threshold} unseal keys given): unseal it (vault operator unseal) and run mcg install again");
        }
        try
        {
            await vault.LookupSelfAsync(ct);
        }
        catch (VaultApiException e) when (e.StatusCode is 403 or 400)
        {
            throw new InstallException($"--vault-token-file {options.VaultTokenFile}: Vault at {Address} does not accept that token ({string.Join("; ", e.Errors)})", e);
        }
        output.WriteLine($"vault at {config.Address} (external): initialised, unsealed, token from {options.VaultTokenFile} accepted");
        return config;
    }

    /// <summary>The patterns' layout in the external Vault: kv-v2 at <c>secret/</c> (the policies come with each token).</summary>
    public async Task ConfigureLayoutAsync(ExternalVaultConfig config, CancellationToken ct)
    {
        using var vault = config.CreateClient();
        try
        {
            var mounts = await vault.ListMountsAsync(ct);
            if (mounts[VaultLayout.KvMount + "/"] is JsonObject mount)
            {
                if (mount["type"]?.ToString() != "kv" || mount["options"]?["version"]?.ToString() != "2")
                {
                    throw new InstallException($"--vault-addr {Address}: {VaultLayout.KvMount}/ is mounted as {mount["type"]} (version {mount["options"]?["version"]}), not kv version 2 as the patterns need");
                }
            }
            else
            {
                await vault.MountKvV2Async(VaultLayout.KvMount, ct);
                output.WriteLine($"vault at {config.Address}: kv-v2 mounted at {VaultLayout.KvMount}/");
            }
        }
        catch (VaultApiException e) when (e.StatusCode == 403)
        {
            throw new InstallException($"--vault-token-file {options.VaultTokenFile}: the token may not manage mounts at {Address} (sys/mounts: permission denied); see docs/external-secrets.md for the policy it needs", e);
        }
    }

    /// <summary>Tokens for the hub and every accepted ManagedCluster, then the configuration the hub's controller continues with.</summary>
    public async Task DeliverTokensAsync(IKubeClient hub, ExternalVaultConfig config, CancellationToken ct)
    {
        IReadOnlyList<JsonObject> clusters;
        try
        {
            clusters = (await hub.ListAsync(SpokeVaultInit.ManagedClusters, null, null, ct)).Items;
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            clusters = []; // no fleet CRDs yet: clusters that join later get theirs from the hub
        }
        var byName = clusters.ToDictionary(c => c.Name()!, StringComparer.Ordinal);
        using var tokens = new ExternalVaultTokens(hub, byName.GetValueOrDefault, () => config, NullLogger<ExternalVaultTokens>.Instance);
        var keys = new List<string> { ExternalVaultTokens.HubKey };
        keys.AddRange(clusters.Where(c => c["spec"]?["hubAcceptsClient"]?.GetValue<bool>() == true && !VaultLayout.ReservedMounts.Contains(c.Name()!)).Select(c => c.Name()!));
        foreach (var key in keys)
        {
            await ReconcileOnceAsync(tokens, key, ct);
        }
        var names = keys.Skip(1).ToList();
        output.WriteLine($"vault tokens: hub{(names.Count > 0 ? " and " + string.Join(", ", names) : "")}, each limited to its <name>-secret policy, " +
            $"in Secret {EsoServiceAccount.Namespace}/{VaultBackendStore.TokenSecret} for ClusterSecretStore {VaultBackendStore.StoreName}");
        await config.WriteAsync(hub, FieldManager, ct);
        output.WriteLine($"external Vault configuration kept in Secret {ExternalVaultConfig.Namespace}/{ExternalVaultConfig.Name}: the hub gives clusters that join later their own token");
    }

    /// <summary><c>mcg uninstall</c>: revokes every token external mode issued and removes their stores and the configuration.</summary>
    public static async Task UninstallAsync(IKubeClient hub, TextWriter output, CancellationToken ct)
    {
        if (await ExternalVaultConfig.ReadAsync(hub, ct) is not { } config)
        {
            return;
        }
        // The configuration goes first so that the hub's controller stops issuing; it comes back if the revocation fails.
        await ExternalVaultConfig.DeleteAsync(hub, ct);
        try
        {
            var revoked = await ExternalVaultTokens.RemoveAllAsync(hub, config, ct);
            output.WriteLine($"external Vault {config.Address}: {revoked} cluster tokens revoked and their stores removed; Secret {ExternalVaultConfig.Namespace}/{ExternalVaultConfig.Name} deleted");
        }
        catch (Exception e) when (e is VaultApiException or HttpRequestException)
        {
            await config.WriteAsync(hub, FieldManager, ct);
            throw new InstallException($"external Vault {config.Address}: revoking the cluster tokens failed ({ExternalSecretReconciler.Flatten(e)}); " +
                $"Secret {ExternalVaultConfig.Namespace}/{ExternalVaultConfig.Name} kept, run mcg uninstall again", e);
        }
    }

    private async Task ReconcileOnceAsync(ExternalVaultTokens tokens, string key, CancellationToken ct)
    {
        try
        {
            await tokens.EnsureKeyAsync(key, ct);
        }
        catch (VaultApiException e)
        {
            var who = key == ExternalVaultTokens.HubKey ? "the hub" : "managed cluster " + key;
            throw new InstallException($"--vault-token-file {options.VaultTokenFile}: Vault at {Address} refused to issue the token of {who}: {string.Join("; ", e.Errors)} " +
                $"({e.StatusCode}; the token needs sudo on auth/token/create and write on sys/policies/acl, see docs/external-secrets.md)", e);
        }
    }

    /// <summary>
    /// The token from the file: Ansible-Vault encrypted (decrypted with the <c>--vault-password-file</c> password) or
    /// plain; either the bare token or a <c>vault operator init -format=json</c> answer (its <c>root_token</c>).
    /// </summary>
    public static string ReadToken(string file, Func<string, VaultPassword>? password)
    {
        if (!File.Exists(file))
        {
            throw new InstallException($"--vault-token-file {file}: no such file");
        }
        var text = File.ReadAllText(file);
        if (AnsibleVaultCipher.IsEncrypted(text.TrimStart()))
        {
            if (password is null)
            {
                throw new InstallException($"--vault-token-file {file} is Ansible-Vault encrypted: give its password with --vault-password-file");
            }
            try
            {
                text = AnsibleVaultCipher.DecryptString(text.TrimStart(), password($"Vault password for {file}: "), file);
            }
            catch (AnsibleVaultException e)
            {
                throw new InstallException($"--vault-token-file {file}: {e.Message} (is --vault-password-file the password it was encrypted with?)", e);
            }
        }
        text = text.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                text = (JsonNode.Parse(text)?["root_token"] ?? JsonNode.Parse(text)?["token"])?.GetValue<string>()
                    ?? throw new InstallException($"--vault-token-file {file}: a JSON document without root_token or token");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InstallException($"--vault-token-file {file}: starts like JSON but is not valid JSON: {e.Message}", e);
            }
        }
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
        {
            throw new InstallException($"--vault-token-file {file}: expected one Vault token (or a vault operator init -format=json answer), found " +
                (text.Length == 0 ? "nothing" : "several words"));
        }
        return text;
    }
}
