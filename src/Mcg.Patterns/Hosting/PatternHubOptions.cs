using Mcg.Patterns.Controller;

namespace Mcg.Patterns.Hosting;

public sealed class PatternHubOptions
{
    public PatternControllerOptions Controller { get; set; } = new();

    /// <summary>The hub's data directory: provisioned virtual clusters live under <c>provisioned/</c>; null runs no provisioner drivers.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The hub's kubeconfig (default <c>&lt;DataDirectory&gt;/kubeconfig</c>), from which agents' bootstrap kubeconfigs are made.</summary>
    public string? HubKubeconfig { get; set; }

    /// <summary>The driver for ClusterDeployments and ClusterClaims that name none (annotation <c>provisioner.mcg.io/driver</c>).</summary>
    public string DefaultDriver { get; set; } = "virtual";
}
