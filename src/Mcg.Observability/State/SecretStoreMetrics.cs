using Mcg.Kube.Runtime;
using Mcg.Secrets.Vault;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// The hub's Vault-compatible secret store, under Vault's own telemetry name: <c>vault_core_unsealed</c>
/// (1 unsealed, 0 sealed), read from the store at each scrape.
/// </summary>
public sealed class SecretStoreMetrics(VaultCore vault, IMetricFactory metrics) : IStateCollector
{
    private readonly Gauge _unsealed = metrics.CreateGauge("vault_core_unsealed", "Whether the Vault-compatible secret store is unsealed (1) or sealed (0).");

    public IReadOnlyList<Informer> Informers => [];

    public void Collect(DateTimeOffset now) => _unsealed.Set(vault.IsSealed ? 0 : 1);
}
