using Spectre.Console;

namespace Mcg.Cli.Up;

/// <summary>Shows the fleet converging: a live table on a terminal, one line per change otherwise (logs, CI).</summary>
public abstract class FleetProgress
{
    public static FleetProgress ForConsole() =>
        Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? new PlainFleetProgress() : new LiveFleetProgress();

    /// <summary>Runs <paramref name="body"/>, which reports each new snapshot through the callback it is given.</summary>
    public abstract Task RunAsync(Func<Action<FleetSnapshot>, Task> body);

    public static string Summary(FleetSnapshot s, int expectedClusters) =>
        $"clusters {s.Clusters.Count(c => c.Available)}/{expectedClusters} available, " +
        $"applications {s.Applications.Count(a => a.Green)}/{s.Applications.Count} synced and healthy";
}

public sealed class PlainFleetProgress : FleetProgress
{
    public override Task RunAsync(Func<Action<FleetSnapshot>, Task> body)
    {
        var seen = new HashSet<string>();
        return body(snapshot =>
        {
            foreach (var c in snapshot.Clusters)
            {
                Report(seen, $"cluster {c.Name}: {(c.Available ? "available" : "not available")} ({c.Labels})");
            }
            foreach (var a in snapshot.Applications)
            {
                Report(seen, $"app {a.Namespace}/{a.Name} → {a.Destination}: {a.Sync}/{a.Health}");
            }
        });
    }

    private static void Report(HashSet<string> seen, string line)
    {
        if (seen.Add(line))
        {
            Console.WriteLine(line);
        }
    }
}

public sealed class LiveFleetProgress : FleetProgress
{
    public override Task RunAsync(Func<Action<FleetSnapshot>, Task> body)
    {
        var table = new Table().AddColumns("kind", "name", "where", "state", "message");
        return AnsiConsole.Live(table).AutoClear(false).StartAsync(ctx => body(snapshot =>
        {
            table.Rows.Clear();
            foreach (var c in snapshot.Clusters)
            {
                table.AddRow(new Text("cluster"), new Text(c.Name), new Text(c.Cloud), State(c.Available ? "Available" : "Unavailable", c.Available), new Text(c.Labels));
            }
            foreach (var a in snapshot.Applications)
            {
                table.AddRow(new Text("app"), new Text($"{a.Namespace}/{a.Name}"), new Text(a.Destination), State($"{a.Sync}/{a.Health}", a.Green),
                    new Text(a.Message.Length > 80 ? a.Message[..80] + "…" : a.Message));
            }
            ctx.Refresh();
        }));
    }

    private static Markup State(string text, bool good) => new($"[{(good ? "green" : "yellow")}]{Markup.Escape(text)}[/]");
}
