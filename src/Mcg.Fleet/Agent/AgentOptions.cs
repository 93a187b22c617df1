namespace Mcg.Fleet.Agent;

public sealed class AgentOptions
{
    public required string ClusterName { get; init; }

    /// <summary>Where the agent keeps its hub credential (DIR/hub-kubeconfig) once registered.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The kubeconfig with the bootstrap token from <c>mcg cluster join</c> (used only until registered).</summary>
    public string? BootstrapKubeconfig { get; init; }

    /// <summary>Labels the cluster asks for when it registers (the hub admin may change them later).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Cluster claims reported to the hub (platform, product, region…), added to those read from the cluster.</summary>
    public IReadOnlyDictionary<string, string> Claims { get; init; } = new Dictionary<string, string>();

    public int LeaseDurationSeconds { get; init; } = 60;

    /// <summary>The managed cluster's API URL, advertised in managedClusterClientConfigs.</summary>
    public string? ManagedClusterUrl { get; init; }

    /// <summary>The managed cluster API's CA (PEM), advertised with the URL so the hub's Vault can review its tokens.</summary>
    public string? ManagedClusterCaPem { get; init; }
}
