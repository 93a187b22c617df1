using Mcg.Fleet.Delivery;
using Mcg.GitOps.Delivery;

namespace Mcg.Cli.Wiring;

/// <summary>
/// The GitOps engine's delivery port implemented with the fleet's ManifestWorks. It lives here, where both sides are
/// wired, so neither Mcg.GitOps nor Mcg.Fleet has to know the other: it only translates between their records.
/// </summary>
public sealed class FleetRemoteDelivery : IRemoteDelivery
{
    private readonly ManifestWorkDelivery _works;

    public FleetRemoteDelivery(ManifestWorkDelivery works)
    {
        _works = works;
        _works.Changed += owner => Changed?.Invoke(new RemoteAppKey(owner.Namespace, owner.Name));
    }

    public event Action<RemoteAppKey>? Changed;

    public bool Knows(string cluster) => _works.Knows(cluster);

    public Task PublishAsync(RemotePublication p, CancellationToken ct) =>
        _works.PublishAsync(p.Cluster, Owner(p.App), p.Revision, p.DesiredHash, p.Manifests.Select(m => new WorkManifest(m.Object, m.Resource, m.FeedStatus)).ToList(), ct);

    public RemoteObservation? Observe(string cluster, RemoteAppKey app) =>
        _works.Observe(cluster, Owner(app)) is { } o
            ? new RemoteObservation(o.Revision, o.DesiredHash, o.Current, o.Manifests,
                o.Resources.Select(r => new RemoteResource(r.Group, r.Version, r.Kind, r.Namespace, r.Name, r.Applied, r.Message, r.Live)).ToList(), o.Message)
            : null;

    public Task WithdrawAsync(string cluster, RemoteAppKey app, bool orphan, CancellationToken ct) => _works.WithdrawAsync(cluster, Owner(app), orphan, ct);

    public bool Pending(RemoteAppKey app) => _works.Exists(Owner(app));

    public IEnumerable<(string Cluster, RemoteAppKey App)> Published() =>
        _works.Published().Select(p => (p.Cluster, new RemoteAppKey(p.Owner.Namespace, p.Owner.Name)));

    public Task StartAsync(CancellationToken ct) => _works.StartAsync(ct);

    private static WorkOwner Owner(RemoteAppKey key) => new(key.Namespace, key.Name);
}
