using System.Diagnostics.Metrics;
using System.Text;
using Mcg.Kube.Runtime;
using Mcg.Observability.Exposition;
using Mcg.Observability.State;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Observability.Tests;

/// <summary>The exposition itself: Meters bridged with their names and types, work-queue metrics, stale series dropped.</summary>
public sealed class ExpositionTests
{
    [Fact]
    public async Task BridgedInstrumentsKeepTheirNamesAndPrometheusTypesAndPassPromtool()
    {
        using var exporter = new MetricsExporter();
        using var meter = new Meter("Mcg.Tests.Bridge");
        var events = meter.CreateCounter<long>("mcg_test_events_total", description: "Events seen.");
        var latency = meter.CreateHistogram("mcg_test_latency_seconds", "s", "Latency.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        var inflight = meter.CreateUpDownCounter<int>("mcg_test_inflight", description: "In flight.");
        using var ignored = new Meter("Other.Library");
        ignored.CreateCounter<long>("other_total").Add(1);

        events.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        events.Add(1, new KeyValuePair<string, object?>("kind", "b"));
        latency.Record(0.5, new KeyValuePair<string, object?>("verb", "GET"));
        inflight.Add(3);
        inflight.Add(-1);

        var text = await ExportAsync(exporter);
        Assert.Contains("# TYPE mcg_test_events_total counter", text);
        Assert.Contains("mcg_test_events_total{kind=\"a\"} 2", text);
        Assert.Contains("mcg_test_events_total{kind=\"b\"} 1", text);
        Assert.Contains("# TYPE mcg_test_latency_seconds histogram", text);
        Assert.Contains("mcg_test_latency_seconds_bucket{verb=\"GET\",le=\"0.1\"} 0", text);
        Assert.Contains("mcg_test_latency_seconds_bucket{verb=\"GET\",le=\"1\"} 1", text);
        Assert.Contains("# TYPE mcg_test_inflight gauge", text);
        Assert.Contains("mcg_test_inflight 2", text);
        Assert.DoesNotContain("other_total", text);
        Assert.Contains("process_cpu_seconds_total", text);
        var check = await Tools.RunAsync("promtool", ["check", "metrics"], stdin: text);
        Assert.True(check.ExitCode == 0 && check.Stdout.Trim().Length == 0, check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task WorkQueueReportsDepthAddsRetriesAndDurations()
    {
        using var exporter = new MetricsExporter();
        using var meter = new Meter("Mcg.Tests.Queue");
        using var queue = new WorkQueue<string>(
            new WorkQueueOptions { Metrics = new WorkQueueMetrics(meter), BaseDelay = TimeSpan.FromHours(1) }, name: "demo");
        queue.Add("a");
        queue.Add("b");
        queue.Add("c");
        queue.Add("a"); // already queued: not an add
        var (item, _) = await queue.GetAsync();
        Assert.Equal("a", item);
        queue.AddRateLimited(item); // a retry, an hour away
        queue.Done(item);

        var text = await ExportAsync(exporter);
        Assert.Contains("workqueue_depth{name=\"demo\"} 2", text);
        Assert.Contains("workqueue_adds_total{name=\"demo\"} 3", text);
        Assert.Contains("workqueue_retries_total{name=\"demo\"} 1", text);
        Assert.Contains("workqueue_queue_duration_seconds_count{name=\"demo\"} 1", text);
        Assert.Contains("workqueue_work_duration_seconds_count{name=\"demo\"} 1", text);
    }

    [Fact]
    public async Task GaugeSeriesDropsTheSeriesOfAStateThatChanged()
    {
        using var exporter = new MetricsExporter();
        var series = new GaugeSeries(exporter.Factory.CreateGauge("mcg_test_app_info", "Apps.", ["name", "sync_status"]));
        series.Replace([(["guestbook", "OutOfSync"], 1), (["other", "Synced"], 1)]);
        Assert.Contains("mcg_test_app_info{name=\"guestbook\",sync_status=\"OutOfSync\"} 1", await ExportAsync(exporter));

        series.Replace([(["guestbook", "Synced"], 1)]);
        var text = await ExportAsync(exporter);
        Assert.Contains("mcg_test_app_info{name=\"guestbook\",sync_status=\"Synced\"} 1", text);
        Assert.DoesNotContain("OutOfSync", text);
        Assert.DoesNotContain("other", text);
    }

    private static async Task<string> ExportAsync(MetricsExporter exporter)
    {
        using var stream = new MemoryStream();
        await exporter.WriteAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
