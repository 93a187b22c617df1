namespace Mcg.WebConsole.Fleet;

/// <summary>A count of things in one state out of a total (e.g. 3 of 4 clusters available).</summary>
public sealed record Tally(int Good, int Total)
{
    public int Bad => Total - Good;
}

/// <summary>The overview's numbers; also served as JSON (<c>/api/overview</c>) so scripts and tests read the same figures.</summary>
public sealed record FleetSummary(
    IReadOnlyDictionary<string, Tally> ClustersByCloud,
    Tally ClustersAvailable,
    Tally AppsSynced,
    Tally AppsHealthy,
    Tally PoliciesCompliant,
    Tally ExternalSecretsSynced,
    Tally StorageHealthy)
{
    public static FleetSummary Of(FleetView fleet) => new(
        fleet.Clusters.GroupBy(c => c.Cloud, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new Tally(g.Count(c => c.Available == "True"), g.Count()), StringComparer.Ordinal),
        new Tally(fleet.Clusters.Count(c => c.Available == "True"), fleet.Clusters.Count),
        new Tally(fleet.Applications.Count(a => a.Sync == "Synced"), fleet.Applications.Count),
        new Tally(fleet.Applications.Count(a => a.Health == "Healthy"), fleet.Applications.Count),
        new Tally(fleet.Policies.Count(p => p.Compliant == "Compliant"), fleet.Policies.Count),
        new Tally(fleet.ExternalSecrets.Count(s => s.Ready == "Synced"), fleet.ExternalSecrets.Count),
        new Tally(fleet.Storage.Count(s => s.Phase is "Running" or "Bound" or "Healthy"), fleet.Storage.Count));
}
