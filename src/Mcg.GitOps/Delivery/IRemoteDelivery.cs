using System.Text.Json.Nodes;

namespace Mcg.GitOps.Delivery;

/// <summary>
/// Where an application's rendered manifests go when its destination is not the hub itself: a managed cluster that
/// applies them on its own (pull model). The GitOps engine only sees this port; the fleet side implements it with
/// ManifestWorks, and the command line wires the two.
/// </summary>
public interface IRemoteDelivery
{
    /// <summary>Whether <paramref name="cluster"/> is a cluster this delivery can reach (a registered managed cluster).</summary>
    bool Knows(string cluster);

    /// <summary>Hands the app's manifests to the cluster (create or update; idempotent).</summary>
    Task PublishAsync(RemotePublication publication, CancellationToken ct);

    /// <summary>What the cluster reports about the app's delivery, from the hub's cache; null when nothing was published.</summary>
    RemoteObservation? Observe(string cluster, RemoteAppKey app);

    /// <summary>Removes the delivery; the cluster deletes what it applied unless <paramref name="orphan"/>.</summary>
    Task WithdrawAsync(string cluster, RemoteAppKey app, bool orphan, CancellationToken ct);

    /// <summary>Whether any delivery of the app still exists, including one being withdrawn.</summary>
    bool Pending(RemoteAppKey app);

    /// <summary>Every delivery that exists, to find those whose application is gone or moved.</summary>
    IEnumerable<(string Cluster, RemoteAppKey App)> Published();

    /// <summary>Raised when a delivery's status or spec changed.</summary>
    event Action<RemoteAppKey>? Changed;

    /// <summary>Starts watching and returns once the cache is filled.</summary>
    Task StartAsync(CancellationToken ct);
}

/// <summary>Names the application a delivery belongs to.</summary>
public sealed record RemoteAppKey(string Namespace, string Name);

/// <summary>
/// One application's manifests for one cluster. <paramref name="DesiredHash"/> identifies the rendered desired state
/// (manifests retained only because pruning is off are not part of it).
/// </summary>
public sealed record RemotePublication(string Cluster, RemoteAppKey App, string Revision, string DesiredHash, IReadOnlyList<RemoteManifest> Manifests);

/// <summary>A manifest, the plural resource name serving its kind, and whether its live status should come back (for health).</summary>
public sealed record RemoteManifest(JsonObject Object, string Resource, bool FeedStatus);

/// <summary>
/// The cluster's report: <paramref name="Current"/> when the cluster has processed the latest published spec;
/// <paramref name="Delivered"/> the manifests currently published.
/// </summary>
public sealed record RemoteObservation(
    string? Revision,
    string? DesiredHash,
    bool Current,
    IReadOnlyList<JsonObject> Delivered,
    IReadOnlyList<RemoteResource> Resources,
    string? Message);

/// <summary>One applied object: whether it applied, why not, and its live <c>status</c> (plus generation and replicas) fed back.</summary>
public sealed record RemoteResource(string Group, string Version, string Kind, string Namespace, string Name, bool Applied, string? Message, JsonObject? Live);
