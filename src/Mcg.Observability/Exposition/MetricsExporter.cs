using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Mcg.Observability.Exposition;

/// <summary>
/// One process's metrics: a prometheus-net registry holding the bridged Meters of the project's libraries, the
/// process and .NET runtime metrics, and any state collectors; renders the Prometheus text exposition format.
/// </summary>
public sealed class MetricsExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterBridge _bridge;

    public MetricsExporter()
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        _bridge = new MeterBridge(Registry);
        DotNetStats.Register(Registry);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates metrics in <see cref="Registry"/> (for the state collectors).</summary>
    public IMetricFactory Factory { get; }

    public async Task WriteAsync(Stream output, CancellationToken ct = default) =>
        await Registry.CollectAndExportAsTextAsync(output, ct);

    /// <summary>Serves a scrape (the caller has already authenticated it, where that is wanted).</summary>
    public async Task HandleAsync(HttpContext http)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = ContentType;
        await WriteAsync(http.Response.Body, http.RequestAborted);
    }

    public void Dispose() => _bridge.Dispose();
}
