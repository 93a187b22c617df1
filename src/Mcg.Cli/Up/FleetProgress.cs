using Mcg.Cli.Output;

namespace Mcg.Cli.Up;

/// <summary>Shows the fleet converging (<c>mcg up</c>, <c>mcg install</c>): its clusters and applications as <see cref="ProgressView"/> rows.</summary>
public sealed class FleetProgress(ProgressView view)
{
    public static FleetProgress ForConsole() => new(ProgressView.ForConsole(["kind", "name", "where", "state", "message"], stateColumn: 3));

    /// <summary>Runs <paramref name="body"/>, which reports each new snapshot through the callback it is given.</summary>
    public Task RunAsync(Func<Action<FleetSnapshot>, Task> body) => view.RunAsync(report => body(snapshot => report(Rows(snapshot))));

    public static string Summary(FleetSnapshot s, int expectedClusters) =>
        $"clusters {s.Clusters.Count(c => c.Available)}/{expectedClusters} available, " +
        $"applications {s.Applications.Count(a => a.Green)}/{s.Applications.Count} synced and healthy";

    public static IReadOnlyList<ProgressRow> Rows(FleetSnapshot snapshot) =>
    [
        .. snapshot.Clusters.Select(c => new ProgressRow($"cluster {c.Name}: {(c.Available ? "available" : "not available")} ({c.Labels})",
            ["cluster", c.Name, c.Cloud, c.Available ? "Available" : "Unavailable", c.Labels], c.Available)),
        .. snapshot.Applications.Select(a => new ProgressRow($"app {a.Namespace}/{a.Name} → {a.Destination}: {a.Sync}/{a.Health}",
            ["app", $"{a.Namespace}/{a.Name}", a.Destination, $"{a.Sync}/{a.Health}", a.Message], a.Green)),
    ];
}
