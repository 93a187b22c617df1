using Mcg.Kube.Client;
using Mcg.Observability.Exposition;
using Mcg.Observability.State;
using Mcg.Secrets.Vault;

namespace Mcg.Observability.Hosting;

/// <summary>
/// What each <c>mcg</c> process exports, in one call per command: the hub serves its metrics on the embedded API
/// server's HTTPS origin (token-authenticated, like kube-apiserver's <c>/metrics</c>) with the fleet and application
/// state; a virtual cluster serves its API server's metrics the same way; an agent serves plain HTTP on 127.0.0.1 with
/// the state of the cluster it manages (ExternalSecrets, StorageCluster, PVCs).
/// </summary>
public static class ProcessMetrics
{
    /// <summary>
    /// Watches the hub's Applications, ManagedClusters, PlacementDecisions, Policies and ExternalSecrets until
    /// cancelled, and reports the seal state of the hub's secret store (when given).
    /// </summary>
    public static Task RunHubStateAsync(MetricsExporter metrics, IKubeClient hub, CancellationToken ct, VaultCore? secretStore = null) =>
        new StateMetrics(metrics.Registry,
        [
            new ApplicationMetrics(hub, metrics.Factory),
            new ManagedClusterMetrics(hub, metrics.Factory),
            new PlacementMetrics(hub, metrics.Factory),
            new PolicyMetrics(hub, metrics.Factory),
            new ExternalSecretMetrics(hub, metrics.Factory),
            .. secretStore is null ? Array.Empty<IStateCollector>() : [new SecretStoreMetrics(secretStore, metrics.Factory)],
        ]).RunAsync(ct);

    /// <summary>
    /// An agent's metrics: serves <c>http://127.0.0.1:PORT/metrics</c> (when <paramref name="port"/> is set) with the
    /// agent's controllers and the managed cluster's ExternalSecret and storage state, until cancelled.
    /// </summary>
    public static async Task RunAgentAsync(int? port, IKubeClient managed, TextWriter output, CancellationToken ct)
    {
        if (port is null)
        {
            return;
        }
        using var metrics = new MetricsExporter();
        await using var server = await MetricsServer.StartAsync(metrics, port.Value, ct);
        await output.WriteLineAsync($"metrics on {server.Url}");
        var state = new StateMetrics(metrics.Registry,
        [
            new ExternalSecretMetrics(managed, metrics.Factory),
            new StorageMetrics(managed, metrics.Factory),
        ]);
        try
        {
            await state.RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
