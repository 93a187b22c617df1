using Mcg.Kube.Objects;

namespace Mcg.Fleet.Policy;

/// <summary>A parsed <c>spec.evaluationInterval.compliant</c> or <c>.noncompliant</c> (a Go duration, <c>watch</c> or <c>never</c>).</summary>
public sealed record EvaluationSchedule(EvaluationMode Mode, TimeSpan Interval)
{
    /// <summary>The agent's default: every 10 seconds, and on changes.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>Parses a setting; empty or invalid values fall back to the default interval (as upstream, which logs and uses 10s).</summary>
    public static EvaluationSchedule Parse(string? text, TimeSpan defaultInterval)
    {
        var value = text?.Trim() ?? "";
        if (value.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return new EvaluationSchedule(EvaluationMode.Never, TimeSpan.Zero);
        }
        if (value.Equals("watch", StringComparison.OrdinalIgnoreCase))
        {
            return new EvaluationSchedule(EvaluationMode.Watch, TimeSpan.Zero);
        }
        return GoDuration.TryParse(value, out var interval) && interval >= TimeSpan.Zero
            ? new EvaluationSchedule(EvaluationMode.Periodic, interval)
            : new EvaluationSchedule(EvaluationMode.Periodic, defaultInterval);
    }
}
