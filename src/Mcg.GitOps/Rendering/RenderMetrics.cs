using System.Diagnostics.Metrics;

namespace Mcg.GitOps.Rendering;

/// <summary><c>mcg_render_duration_seconds{renderer}</c>: how long rendering one source path takes (Kustomize or directory).</summary>
public sealed class RenderMetrics
{
    public const string MeterName = "Mcg.GitOps";

    private readonly Histogram<double> _duration;

    public RenderMetrics(Meter meter) =>
        _duration = meter.CreateHistogram("mcg_render_duration_seconds", "s", "Duration of manifest rendering, by renderer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>The process-wide instance for renderers not given one.</summary>
    public static RenderMetrics Shared { get; } = new(new Meter(MeterName));

    public void Record(string renderer, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("renderer", renderer));
}
