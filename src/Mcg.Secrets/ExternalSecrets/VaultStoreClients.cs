using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// Keeps one logged-in <see cref="VaultStoreClient"/> per (store version, namespace) until its token is due for
/// renewal, so refreshes do not log in to Vault every time.
/// </summary>
public sealed class VaultStoreClients(IKubeClient kube, TimeProvider clock) : IDisposable
{
    private readonly Dictionary<string, VaultStoreClient> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public async Task<VaultStoreClient> GetAsync(JsonObject store, VaultStoreSpec spec, string refNamespace, CancellationToken ct)
    {
        var key = $"{store.Kind()}/{store.Namespace()}/{store.Name()}/{store.Uid()}/{store.ResourceVersion()}/{refNamespace}";
        lock (_lock)
        {
            if (_clients.TryGetValue(key, out var cached) && cached.Expires > clock.GetUtcNow())
            {
                return cached;
            }
        }
        var client = await VaultStoreClient.ConnectAsync(kube, spec, refNamespace, clock, ct);
        lock (_lock)
        {
            // Clients of older versions of this store are no longer needed. They are not disposed here: another
            // reconcile may still be using one; their idle connections close on their own.
            var prefix = $"{store.Kind()}/{store.Namespace()}/{store.Name()}/";
            var current = $"{prefix}{store.Uid()}/{store.ResourceVersion()}/";
            foreach (var stale in _clients.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !k.StartsWith(current, StringComparison.Ordinal)).ToList())
            {
                _clients.Remove(stale);
            }
            _clients[key] = client;
        }
        return client;
    }

    /// <summary>Drops a client whose token was refused, so the next use logs in again.</summary>
    public void Invalidate(VaultStoreClient client)
    {
        lock (_lock)
        {
            foreach (var entry in _clients.Where(c => ReferenceEquals(c.Value, client)).ToList())
            {
                _clients.Remove(entry.Key);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var c in _clients.Values)
            {
                c.Dispose();
            }
            _clients.Clear();
        }
    }
}
