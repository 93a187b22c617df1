namespace Mcg.Fleet.Policy;

public sealed class ConfigurationPolicyAgentOptions
{
    /// <summary>How often a ConfigurationPolicy without an evaluationInterval (or with an invalid one) is evaluated.</summary>
    public TimeSpan DefaultEvaluationInterval { get; set; } = EvaluationSchedule.DefaultInterval;

    /// <summary>Write each template as a ConfigurationPolicy (with its status) in the cluster's namespace on the managed cluster, as the framework's template-sync does.</summary>
    public bool MirrorConfigurationPolicies { get; set; } = true;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
