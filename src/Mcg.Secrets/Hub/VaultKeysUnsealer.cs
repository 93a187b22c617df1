using Mcg.Kube.Client;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The validated patterns' <c>unsealvault-cronjob</c>: while Vault is sealed, unseal it with the keys that
/// <c>mcg install</c> kept in <c>imperative/vaultkeys</c>, and hand the root token to the hub's layout bootstrap.
/// Used when the hub runs on a cluster it does not own (<c>mcg hub --vault-keys secret</c>).
/// </summary>
public sealed class VaultKeysUnsealer(IKubeClient hub, VaultClient vault, Action<string> rootToken, ILogger<VaultKeysUnsealer> logger)
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await UnsealOnceAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Vault unseal from Secret {Namespace}/{Name} failed: {Message}", VaultKeysSecret.Namespace, VaultKeysSecret.Name, e.Message);
            }
            await Task.Delay(Interval, ct);
        }
    }

    public async Task UnsealOnceAsync(CancellationToken ct)
    {
        var status = await vault.SealStatusAsync(ct);
        if (!status.Initialized)
        {
            return; // mcg install initialises it and writes the Secret.
        }
        var keys = await VaultKeysSecret.ReadAsync(hub, ct);
        if (keys is null)
        {
            return;
        }
        if (status.Sealed)
        {
            await vault.EnsureInitializedAndUnsealedAsync(keys.UnsealKeysHex.Take(keys.Threshold).ToList(), ct: ct);
            logger.LogInformation("Vault unsealed with the keys in Secret {Namespace}/{Name}", VaultKeysSecret.Namespace, VaultKeysSecret.Name);
        }
        rootToken(keys.RootToken);
    }
}
