using Mcg.GitOps.Applications;

namespace Mcg.GitOps.Delivery;

/// <summary>
/// What the application controller needs for destinations other than the hub: Argo CD's cluster list to resolve
/// <c>destination.name</c>/<c>server</c>, the delivery to those clusters, and the comparer for their reports.
/// </summary>
public sealed class RemoteDestinations(ClusterSecrets clusters, IRemoteDelivery delivery, RemoteComparer comparer, RemoteDeliveryOptions options)
{
    public ClusterSecrets Clusters => clusters;
    public IRemoteDelivery Delivery => delivery;
    public RemoteComparer Comparer => comparer;
    public RemoteDeliveryOptions Options => options;

    /// <summary>
    /// The managed cluster a destination points at; null when the destination is the hub itself. Throws
    /// <see cref="InvalidSpecException"/> with Argo CD's message when no cluster has that name or server.
    /// </summary>
    public string? ManagedClusterOf(ApplicationDestination destination)
    {
        if (destination.IsInCluster)
        {
            return null;
        }
        var cluster = clusters.Resolve(destination)
            ?? throw new InvalidSpecException(destination.Name is { } n
                ? $"there are no clusters with this name: {n}"
                : $"cluster {destination.Server} has not been configured");
        if (cluster.Server == ApplicationDestination.InClusterServer)
        {
            return null;
        }
        if (!delivery.Knows(cluster.Name))
        {
            throw new InvalidSpecException($"cluster {cluster.Name} ({cluster.Server}) is not a managed cluster of this hub: applications are delivered to managed clusters only");
        }
        return cluster.Name;
    }
}

public sealed class RemoteDeliveryOptions
{
    /// <summary>How long a sync waits for the managed cluster to apply what was delivered before it fails.</summary>
    public TimeSpan ApplyTimeout { get; set; } = TimeSpan.FromMinutes(3);
}
