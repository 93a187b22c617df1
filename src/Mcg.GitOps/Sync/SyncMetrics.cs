using System.Diagnostics.Metrics;

namespace Mcg.GitOps.Sync;

/// <summary>
/// Sync operations run by <see cref="SyncRunner"/>: <c>mcg_sync_operations_total{phase,dry_run}</c> and
/// <c>mcg_sync_duration_seconds{phase}</c> (from the dry run to the last wave, hooks included).
/// Per-application counts come from the Applications themselves (<c>argocd_app_sync_total</c>).
/// </summary>
public sealed class SyncMetrics
{
    public const string MeterName = "Mcg.GitOps";

    private readonly Counter<long> _operations;
    private readonly Histogram<double> _duration;

    public SyncMetrics(Meter meter)
    {
        _operations = meter.CreateCounter<long>("mcg_sync_operations_total", description: "Sync operations run, by final phase.");
        _duration = meter.CreateHistogram("mcg_sync_duration_seconds", "s", "Duration of sync operations, by final phase.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    /// <summary>The process-wide instance for runners not given one.</summary>
    public static SyncMetrics Shared { get; } = new(new Meter(MeterName));

    public void Record(SyncResult result, bool dryRun, TimeSpan elapsed)
    {
        var phase = new KeyValuePair<string, object?>("phase", result.Phase.ToString());
        _operations.Add(1, phase, new KeyValuePair<string, object?>("dry_run", dryRun ? "true" : "false"));
        _duration.Record(elapsed.TotalSeconds, phase);
    }
}
