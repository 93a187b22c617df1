namespace Mcg.Fleet.Policy;

/// <summary>When a ConfigurationPolicy in one compliance state is evaluated again.</summary>
public enum EvaluationMode
{
    /// <summary>After <see cref="EvaluationSchedule.Interval"/>, and whenever a watched object changes.</summary>
    Periodic,

    /// <summary>Only when a watched object (or the policy) changes.</summary>
    Watch,

    /// <summary>Not again until the policy changes.</summary>
    Never,
}
