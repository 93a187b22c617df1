using Microsoft.AspNetCore.Http;

namespace Mcg.ApiServer.Hosting;

public sealed class ApiServerOptions
{
    /// <summary>Where the database, certificates, tokens and kubeconfig live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>0 picks a free port; the chosen one is written into the kubeconfig.</summary>
    public int Port { get; init; }

    /// <summary>How many changes watches can replay from before they get 410 Gone.</summary>
    public int WatchHistory { get; init; } = 100_000;

    /// <summary>How many bytes of object JSON the watch history may hold (the older changes are compacted away).</summary>
    public long WatchHistoryBytes { get; init; } = Storage.ObjectStore.DefaultHistoryBytes;

    public string ClusterName { get; init; } = "mcg";

    /// <summary>Serves <c>GET /metrics</c> (Prometheus text) to authenticated callers RBAC allows; null: no endpoint.</summary>
    public RequestDelegate? Metrics { get; init; }
}
