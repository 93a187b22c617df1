using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// A gauge whose whole set of series is recomputed from a cache on every scrape: series not set in the latest round
/// are removed, so an Application whose sync status changed does not keep its old <c>sync_status</c> series.
/// </summary>
public sealed class GaugeSeries(Gauge gauge)
{
    private readonly Lock _lock = new();
    private HashSet<LabelValues> _previous = [];
    private HashSet<LabelValues> _current = [];

    /// <summary>Sets every series of one round; the caller passes all of them.</summary>
    public void Replace(IEnumerable<(string[] Labels, double Value)> series)
    {
        lock (_lock)
        {
            _current.Clear();
            foreach (var (labels, value) in series)
            {
                gauge.WithLabels(labels).Set(value);
                _current.Add(new LabelValues(labels));
            }
            foreach (var stale in _previous.Where(p => !_current.Contains(p)))
            {
                gauge.RemoveLabelled(stale.Values);
            }
            (_previous, _current) = (_current, _previous);
        }
    }

    private sealed class LabelValues(string[] values) : IEquatable<LabelValues>
    {
        public string[] Values { get; } = values;

        public bool Equals(LabelValues? other) => other is not null && Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => Equals(obj as LabelValues);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var v in Values)
            {
                hash.Add(v);
            }
            return hash.ToHashCode();
        }
    }
}
