using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Prometheus;

namespace Mcg.Observability.Exposition;

/// <summary>
/// Publishes the instruments of the project's <see cref="Meter"/>s (names starting with a prefix, by default "Mcg.")
/// as native Prometheus metrics in a prometheus-net registry: Counter → counter, Histogram → histogram (buckets from
/// the instrument's advice), UpDownCounter and observable gauges → gauge. The instrument name is the Prometheus name.
/// prometheus-net's own MeterAdapter exports every counter as a gauge and prefixes the meter name, which breaks the
/// conventional names (<c>workqueue_adds_total</c>, <c>apiserver_request_total</c>) and <c>promtool check metrics</c>.
/// </summary>
public sealed class MeterBridge : IDisposable
{
    /// <summary>Latency buckets (seconds) for histograms without advice: 5 ms … 60 s.</summary>
    public static readonly double[] DefaultSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly MeterListener _listener = new();
    private readonly IMetricFactory _factory;
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public MeterBridge(CollectorRegistry registry, string meterPrefix = "Mcg.")
    {
        _factory = Metrics.WithCustomRegistry(registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(meterPrefix, StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
        // Observable instruments report only when asked: ask right before every scrape.
        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd(instrument, static (i, state) => state.bridge.Create(i, state.names), (bridge: this, names: Names(tags)));
        var values = new string[series.LabelNames.Length];
        for (var n = 0; n < series.LabelNames.Length; n++)
        {
            values[n] = "";
            foreach (var tag in tags)
            {
                if (tag.Key == series.LabelNames[n])
                {
                    values[n] = tag.Value?.ToString() ?? "";
                    break;
                }
            }
        }
        series.Record(values, value);
    }

    private static string[] Names(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            names[i] = tags[i].Key;
        }
        return names;
    }

    // The first measurement fixes the label names; instruments of this project always pass the same tag keys.
    private Series Create(Instrument instrument, string[] labelNames)
    {
        var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
        var type = instrument.GetType().GetGenericTypeDefinition();
        if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>))
        {
            var counter = _factory.CreateCounter(instrument.Name, help, labelNames);
            return type == typeof(Counter<>)
                ? new Series(labelNames, (l, v) => counter.WithLabels(l).Inc(v))
                : new Series(labelNames, (l, v) => counter.WithLabels(l).IncTo(v));
        }
        if (type == typeof(Histogram<>))
        {
            var buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultSecondsBuckets;
            var histogram = _factory.CreateHistogram(instrument.Name, help, labelNames, new HistogramConfiguration { Buckets = buckets });
            return new Series(labelNames, (l, v) => histogram.WithLabels(l).Observe(v));
        }
        var gauge = _factory.CreateGauge(instrument.Name, help, labelNames);
        return type == typeof(UpDownCounter<>)
            ? new Series(labelNames, (l, v) => gauge.WithLabels(l).Inc(v))
            : new Series(labelNames, (l, v) => gauge.WithLabels(l).Set(v));
    }

    private sealed record Series(string[] LabelNames, Action<string[], double> Record);
}
