using System.Diagnostics.Metrics;

namespace Mcg.Secrets.Vault;

/// <summary>
/// Request metrics of the Vault-compatible server: <c>mcg_vault_request_duration_seconds{method,route}</c> and
/// <c>mcg_vault_requests_total{method,route,code}</c>. The route is the mount a request goes to (<c>sys/</c>,
/// <c>auth/token/</c>, <c>auth/kubernetes/</c>, <c>secret/</c>…), never the secret's path below it, so the label set
/// stays as small as the mount table; unknown HTTP methods are <c>OTHER</c>. Vault's own telemetry has the same data
/// as <c>vault.core.handle_request</c> and <c>vault.route.*</c> summaries, with the mount in the metric name.
/// </summary>
public sealed class VaultMetrics
{
    public const string MeterName = "Mcg.Secrets.Vault";

    private static readonly HashSet<string> KnownMethods = ["GET", "HEAD", "LIST", "POST", "PUT", "PATCH", "DELETE"];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public VaultMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("mcg_vault_requests_total", description: "Requests to the Vault-compatible secret store, by HTTP method, mount and status code.");
        _duration = meter.CreateHistogram("mcg_vault_request_duration_seconds", "s", "Latency of requests to the Vault-compatible secret store, by HTTP method and mount.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    /// <summary>The process-wide instance for servers not given one.</summary>
    public static VaultMetrics Shared { get; } = new(new Meter(MeterName));

    public void Record(string method, string route, int code, TimeSpan elapsed)
    {
        var verb = KnownMethods.Contains(method.ToUpperInvariant()) ? method.ToUpperInvariant() : "OTHER";
        var m = new KeyValuePair<string, object?>("method", verb);
        var r = new KeyValuePair<string, object?>("route", route);
        _requests.Add(1, m, r, new KeyValuePair<string, object?>("code", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _duration.Record(elapsed.TotalSeconds, m, r);
    }

    /// <summary>The mount a <c>/v1/</c> path goes to, as a bounded label: "" when no mount serves it (or the store is sealed).</summary>
    public static string RouteOf(string? urlPath, MountTable mounts)
    {
        if (urlPath is null || !urlPath.StartsWith("/v1/", StringComparison.Ordinal))
        {
            return "";
        }
        var path = Uri.UnescapeDataString(urlPath["/v1/".Length..]);
        if (path.StartsWith("sys/", StringComparison.Ordinal) || path == "sys")
        {
            return MountTable.System.Path;
        }
        if (path.StartsWith("auth/token/", StringComparison.Ordinal))
        {
            return "auth/" + MountTable.TokenAuth.Path;
        }
        if (path.StartsWith("auth/", StringComparison.Ordinal))
        {
            return mounts.FindAuth(path[5..]) is { } auth ? "auth/" + auth.Path : "";
        }
        return mounts.Find(path)?.Path ?? "";
    }
}
