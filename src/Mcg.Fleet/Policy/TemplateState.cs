using Mcg.Kube.Client;

namespace Mcg.Fleet.Policy;

/// <summary>
/// What the agent remembers of a ConfigurationPolicy template between evaluations: the definition it evaluated, when,
/// with which outcome (one condition per object template) and message, and the resources its templates concern.
/// </summary>
internal sealed record TemplateState(
    string SpecKey,
    ConfigurationPolicyDefinition Definition,
    DateTimeOffset LastEvaluated,
    bool Compliant,
    IReadOnlyList<TemplateCondition> Conditions,
    string Message,
    IReadOnlySet<ResourceRef> Resources)
{
    /// <summary>When the template is next due by its evaluation interval, or null (watch or never).</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            var schedule = Definition.ScheduleFor(Compliant);
            return schedule.Mode == EvaluationMode.Periodic ? LastEvaluated + schedule.Interval : null;
        }
    }

    /// <summary>Whether a change of a watched object re-evaluates it (not when the interval is "never").</summary>
    public bool ReactsToChanges => Definition.ScheduleFor(Compliant).Mode != EvaluationMode.Never;
}
