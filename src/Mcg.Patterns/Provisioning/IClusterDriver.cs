namespace Mcg.Patterns.Provisioning;

/// <summary>A cluster to bring up: its name on the hub, Hive platform key (aws, azure, …), worker count and the labels it joins with.</summary>
public sealed record ClusterRequest(string Name, string Platform, int Workers, IReadOnlyDictionary<string, string> Labels);

/// <summary>Turns Hive requests into clusters that join the hub. Drivers are idempotent: ensuring a running cluster is a no-op.</summary>
public interface IClusterDriver : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Creates (or resumes) the cluster and its agent; returns a human-readable description (e.g. its API URL).</summary>
    Task<string> EnsureAsync(ClusterRequest request, CancellationToken ct);

    /// <summary>Stops and removes the cluster; false when there was nothing to remove.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken ct);
}
