using System.Diagnostics.Metrics;

namespace Mcg.GitOps.Sources;

/// <summary>
/// Argo CD's Git request metrics (same names): <c>argocd_git_request_total</c> and
/// <c>argocd_git_request_duration_seconds</c> by repository (redacted URL) and request type (<c>fetch</c>).
/// </summary>
public sealed class GitMetrics
{
    public const string MeterName = "Mcg.GitOps";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public GitMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("argocd_git_request_total", description: "Number of git requests performed by repo server");
        _duration = meter.CreateHistogram("argocd_git_request_duration_seconds", "s", "Git requests duration seconds.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 4, 10, 20, 60, 120] });
    }

    /// <summary>The process-wide instance for caches not given one.</summary>
    public static GitMetrics Shared { get; } = new(new Meter(MeterName));

    /// <summary>Records one fetch (successful or not: Argo CD counts both).</summary>
    public void RecordFetch(string repoUrl, TimeSpan elapsed)
    {
        var repo = new KeyValuePair<string, object?>("repo", RepositoryUrl.Redact(repoUrl));
        var type = new KeyValuePair<string, object?>("request_type", "fetch");
        _requests.Add(1, repo, type);
        _duration.Record(elapsed.TotalSeconds, repo, type);
    }
}
