using System.Globalization;

namespace Mcg.Cli.Up;

/// <summary>
/// One Prometheus scrape target of an <c>mcg up</c> fleet: the hub's and each virtual cluster's API servers serve
/// <c>/metrics</c> on their HTTPS origin (a bearer token allowed to get <c>/metrics</c>, see
/// deploy/prometheus/metrics-reader.yaml); each agent serves plain HTTP on 127.0.0.1.
/// </summary>
public sealed record MetricsEndpoint(string Job, string Instance, string Url, string Auth)
{
    public static IReadOnlyList<MetricsEndpoint> Of(UpState state)
    {
        var list = new List<MetricsEndpoint> { new("mcg-hub", "hub", Https(state.HubPort), "bearer token (hub)") };
        foreach (var c in state.Clusters)
        {
            list.Add(new("mcg-cluster", c.Name, Https(c.Port), $"bearer token (cluster {c.Name})"));
        }
        foreach (var c in state.Clusters.Where(c => c.MetricsPort > 0))
        {
            list.Add(new("mcg-agent", c.Name, $"http://127.0.0.1:{c.MetricsPort.ToString(CultureInfo.InvariantCulture)}/metrics", "none"));
        }
        return list;
    }

    private static string Https(int port) => $"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/metrics";
}
