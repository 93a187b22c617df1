using Mcg.Kube.Client;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>The hub's governance controllers, for the hub process to run.</summary>
public static class PolicyHub
{
    /// <summary>Runs the policy propagator against the hub until cancelled. The OCM hub CRDs must be installed.</summary>
    public static Task RunAsync(IKubeClient hub, ILoggerFactory loggers, CancellationToken ct) =>
        new PolicyPropagator(hub, loggers).RunAsync(ct);
}
