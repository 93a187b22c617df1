using Mcg.Kube.Client;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>A managed cluster's governance agent, for the agent process to run.</summary>
public static class PolicyAgent
{
    /// <summary>
    /// Evaluates and reports the policies replicated to <paramref name="clusterName"/>'s namespace on the hub against
    /// the managed cluster until cancelled. The ConfigurationPolicy CRD (OcmCrds.Spoke) should be installed on the
    /// managed cluster for the per-template ConfigurationPolicy objects; compliance does not depend on it.
    /// </summary>
    public static async Task RunAsync(IKubeClient hub, IKubeClient managed, string clusterName, ILoggerFactory loggers, CancellationToken ct)
    {
        await using var agent = new ConfigurationPolicyAgent(hub, managed, clusterName, loggers);
        await agent.RunAsync(ct);
    }
}
