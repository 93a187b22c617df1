using System.Net;
using Mcg.Observability.Exposition;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcg.Observability.Hosting;

/// <summary>
/// A plain-HTTP <c>/metrics</c> endpoint on 127.0.0.1 (for agents, which have no API server of their own): only
/// loopback, so a Prometheus on the same machine scrapes it without credentials.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The scrape URL, e.g. <c>http://127.0.0.1:9464/metrics</c>.</summary>
    public string Url { get; }

    /// <param name="port">0 picks a free port.</param>
    public static async Task<MetricsServer> StartAsync(MetricsExporter metrics, int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/metrics", metrics.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsServer(app, $"http://127.0.0.1:{new Uri(address).Port}/metrics");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
