namespace Mcg.Fleet.Policy;

public sealed class PolicyPropagatorOptions
{
    /// <summary>Root policies reconciled at the same time.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>How often every root policy is reconciled even without a change (catches PolicySet edits, which are not watched).</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When a replica could not be written, the root policy is reconciled again after this delay.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}
