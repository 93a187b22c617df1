namespace Mcg.Storage.Simulation;

/// <summary>How a virtual cluster's simulated machines look and behave.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Where volume replicas and snapshots keep their bytes (the cluster's data directory).</summary>
    public required string DataDirectory { get; init; }

    public int Nodes { get; init; } = 3;
    public string NodeCpu { get; init; } = "8";
    public string NodeMemory { get; init; } = "32Gi";
    public int NodeMaxPods { get; init; } = 110;

    /// <summary>The size of each node's one data disk (<c>/dev/sdb</c>), which Portworx can use.</summary>
    public string NodeDiskSize { get; init; } = "512Gi";

    public string Region { get; init; } = "us-east-1";
    public IReadOnlyList<string> Zones { get; init; } = ["us-east-1a", "us-east-1b", "us-east-1c"];

    /// <summary>How long pods stay on a failed node before they are evicted (upstream: 300 s of toleration).</summary>
    public TimeSpan EvictionDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a run-to-completion container runs unless its pod says otherwise.</summary>
    public TimeSpan DefaultRunDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a Portworx node takes to initialise.</summary>
    public TimeSpan StorageNodeStartup { get; init; } = TimeSpan.FromSeconds(1);

    public int Workers { get; init; } = 2;
}
