using System.Diagnostics.Metrics;

namespace Mcg.Kube.Runtime;

/// <summary>
/// client-go's work-queue metrics (same names, label <c>name</c> = the controller): depth, adds, retries, and how long
/// items wait in the queue and take to process. Exported as Prometheus metrics by whatever listens to the
/// "Mcg.Kube.Runtime" meter (the hosts' <c>/metrics</c>).
/// </summary>
public sealed class WorkQueueMetrics
{
    public const string MeterName = "Mcg.Kube.Runtime";

    private static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public WorkQueueMetrics(Meter meter)
    {
        Depth = meter.CreateUpDownCounter<long>("workqueue_depth", description: "Current depth of workqueue");
        Adds = meter.CreateCounter<long>("workqueue_adds_total", description: "Total number of adds handled by workqueue");
        Retries = meter.CreateCounter<long>("workqueue_retries_total", description: "Total number of retries handled by workqueue");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        QueueDuration = meter.CreateHistogram("workqueue_queue_duration_seconds", "s", "How long in seconds an item stays in workqueue before being requested.", advice: advice);
        WorkDuration = meter.CreateHistogram("workqueue_work_duration_seconds", "s", "How long in seconds processing an item from workqueue takes.", advice: advice);
    }

    /// <summary>The process-wide instance used by queues that are not given one (hosts create one meter per library).</summary>
    public static WorkQueueMetrics Shared { get; } = new(new Meter(MeterName));

    internal UpDownCounter<long> Depth { get; }
    internal Counter<long> Adds { get; }
    internal Counter<long> Retries { get; }
    internal Histogram<double> QueueDuration { get; }
    internal Histogram<double> WorkDuration { get; }
}
