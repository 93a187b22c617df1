using Mcg.WebConsole.Fleet;
using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>ExternalSecrets per cluster with their sync state and refresh time. Never values: no Secret is ever read.</summary>
public static class SecretsPage
{
    public const string Watch = "applications,manifestworks";

    public static ConsolePage Render(FleetView fleet, DateTimeOffset now)
    {
        var byCluster = fleet.ExternalSecrets.GroupBy(s => s.Cluster, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var sections = string.Concat(byCluster.Select(g => $"""
            <h2>{E(g.Key)}</h2>
            {Table(g, now)}
            """));
        return new ConsolePage("Secrets", Watch, $"""
            <h1>External secrets</h1>
            <p class="muted">Status only, as each cluster's agent reports it: secret values never leave the clusters and are never shown here.</p>
            {(sections.Length == 0 ? "<p class=\"muted\">No application delivers an ExternalSecret.</p>" : sections)}
            """);
    }

    public static string Table(IEnumerable<ClusterResourceRow> rows, DateTimeOffset now) => Html.Table(["Namespace", "ExternalSecret", "Application", "Status", "Reason", "Refreshed"],
        rows.Select(r => (IReadOnlyList<string>)[E(r.Namespace), E(r.Name), E(r.App), Badge(r.Ready), E(r.Reason), E(string.IsNullOrEmpty(r.RefreshTime) ? "-" : $"{Age(r.RefreshTime, now)} ago")]),
        "No ExternalSecrets.");
}
