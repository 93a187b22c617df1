using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mcg.ApiServer.Resources;
using Microsoft.AspNetCore.Http;

namespace Mcg.ApiServer.Http;

/// <summary>
/// kube-apiserver's request metrics (same names and labels, a subset): <c>apiserver_request_total</c>,
/// <c>apiserver_request_duration_seconds</c> (watches excluded: they last as long as the client wants) and
/// <c>apiserver_longrunning_requests</c> (open watches).
/// </summary>
public sealed class ApiServerMetrics
{
    public const string MeterName = "Mcg.ApiServer";

    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _longRunning;

    private static readonly HashSet<string> KnownMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    private readonly ResourceRegistry _registry;

    public ApiServerMetrics(IMeterFactory meters, ResourceRegistry registry)
    {
        _registry = registry;
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("apiserver_request_total",
            description: "Counter of apiserver requests broken out for each verb, group, version, resource, subresource and HTTP response code.");
        _duration = meter.CreateHistogram("apiserver_request_duration_seconds", "s",
            "Response latency distribution in seconds for each verb, group, version, resource and subresource.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _longRunning = meter.CreateUpDownCounter<long>("apiserver_longrunning_requests",
            description: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource and subresource.");
    }

    /// <summary>Counts an open watch until the returned scope is disposed (null for other requests).</summary>
    public IDisposable? TrackLongRunning(RequestInfo info, HttpRequest request)
    {
        if (info.Verb != "watch")
        {
            return null;
        }
        var tags = Tags(info, request);
        _longRunning.Add(1, tags);
        return new Release(() => _longRunning.Add(-1, tags));
    }

    public void Record(RequestInfo info, HttpContext http, TimeSpan elapsed)
    {
        var tags = Tags(info, http.Request, http.Response.StatusCode);
        tags.Add("code", http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _requests.Add(1, tags);
        if (info.Verb != "watch")
        {
            tags.RemoveAt(tags.Count - 1); // the histogram has no code label
            _duration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>kube-apiserver's verb label: LIST, WATCH, APPLY and the HTTP method otherwise (OTHER for unusual ones).</summary>
    private static string Verb(RequestInfo info, HttpRequest request) => info.Verb switch
    {
        "list" => "LIST",
        "watch" => "WATCH",
        "patch" when request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true => "APPLY",
        _ => KnownMethods.Contains(request.Method.ToUpperInvariant()) ? request.Method.ToUpperInvariant() : "OTHER",
    };

    // Labels stay bounded: paths naming no served resource (typos, scans) are counted without group, version or resource,
    // and unknown subresources (404) without subresource.
    private TagList Tags(RequestInfo info, HttpRequest request, int? code = null)
    {
        var known = info.IsResourceRequest && _registry.Find(info.Group, info.Version, info.Resource) is not null;
        return new()
        {
            { "verb", Verb(info, request) },
            { "group", known ? info.Group : "" },
            { "version", known ? info.Version : "" },
            { "resource", known ? info.Resource : "" },
            { "subresource", known && code != 404 ? info.Subresource : "" },
        };
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
