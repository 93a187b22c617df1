using Mcg.Kube.Client;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;

namespace Mcg.Cli.Install;

/// <summary>
/// The hub's secret store as <c>mcg install</c> finds it (the <c>vault-backend</c> ClusterSecretStore the hub publishes)
/// and brings it up as the patterns' <c>vault_init</c>/<c>vault_unseal</c> do: initialise once, keep the init answer in
/// <c>imperative/vaultkeys</c>, unseal.
/// </summary>
public sealed class HubVault(IKubeClient cluster, TextWriter output)
{
    private static readonly ResourceRef ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);

    public sealed record Endpoint(string Address, string CaPem);

    /// <summary>Waits for the hub to publish its Vault's address and CA.</summary>
    public async Task<Endpoint> FindAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var store = await TryGetAsync(EsoResources.ClusterSecretStores, null, VaultBackendStore.StoreName, ct);
            var ca = await TryGetAsync(ConfigMaps, EsoServiceAccount.Namespace, VaultBackendStore.CaConfigMap, ct);
            if (store?["spec"]?["provider"]?["vault"]?["server"]?.ToString() is { } server && ca?["data"]?["ca.crt"]?.ToString() is { } pem)
            {
                return new Endpoint(server, pem);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InstallException($"no secret store: the ClusterSecretStore {VaultBackendStore.StoreName} did not appear in {timeout.TotalSeconds:0} s " +
                    "(is mcg hub --kubeconfig running against this cluster?)");
            }
            await Task.Delay(500, ct);
        }
    }

    /// <summary>Initialises Vault if needed (keys into <c>imperative/vaultkeys</c>), unseals it and returns the root token.</summary>
    public async Task<string> InitAndUnsealAsync(Endpoint endpoint, CancellationToken ct)
    {
        using var vault = new VaultClient(new VaultClientOptions { Address = endpoint.Address, CaPem = endpoint.CaPem });
        var status = await vault.SealStatusAsync(ct);
        var keys = await VaultKeysSecret.ReadAsync(cluster, ct);
        if (!status.Initialized)
        {
            var init = await vault.InitAsync(5, 3, ct);
            keys = VaultInitFile.From(init, 3);
            await VaultKeysSecret.WriteAsync(cluster, keys, Bootstrap.PatternBootstrap.FieldManager, ct);
            output.WriteLine($"vault at {endpoint.Address}: initialised (5 key shares, threshold 3); keys kept in Secret {VaultKeysSecret.Namespace}/{VaultKeysSecret.Name}");
        }
        else if (keys is null)
        {
            throw new InstallException($"vault at {endpoint.Address} is already initialised but Secret {VaultKeysSecret.Namespace}/{VaultKeysSecret.Name} " +
                "does not hold its keys: restore that Secret (key vault_data_json, the vault operator init -format=json answer)");
        }
        if (status.Sealed || !status.Initialized)
        {
            await vault.EnsureInitializedAndUnsealedAsync(keys.UnsealKeysHex.Take(keys.Threshold).ToList(), ct: ct);
            output.WriteLine($"vault at {endpoint.Address}: unsealed");
        }
        return keys.RootToken;
    }

    private async Task<System.Text.Json.Nodes.JsonObject?> TryGetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct)
    {
        try
        {
            return await cluster.GetAsync(resource, ns, name, ct);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            return null; // the CRD is not installed yet
        }
    }
}
