using Mcg.WebConsole.Fleet;
using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>The fleet at a glance: clusters by cloud, applications, policies, external secrets and storage.</summary>
public static class OverviewPage
{
    public const string Watch = "managedclusters,applications,policies,manifestworks";

    public static ConsolePage Render(FleetView fleet)
    {
        var s = FleetSummary.Of(fleet);
        var clouds = string.Concat(s.ClustersByCloud.Select(c => $"""
            <div class="cloud" data-cloud="{E(c.Key)}"><span class="cloud-name">{E(c.Key)}</span>
            <span class="num">{c.Value.Good}/{c.Value.Total}</span><span class="muted">available</span></div>
            """));
        var problems = fleet.Applications.Where(a => a.Sync != "Synced" || a.Health != "Healthy")
            .Select(a => (IReadOnlyList<string>)[$"""<a href="/apps/{U(a.Namespace)}/{U(a.Name)}">{E(a.Name)}</a>""", E(a.Destination), Badge(a.Sync), Badge(a.Health), E(a.Message)]);
        var body = $"""
            <h1>Overview</h1>
            <section class="tiles">
            {Tile("clusters", "Clusters available", s.ClustersAvailable, "/clusters")}
            {Tile("apps-synced", "Applications synced", s.AppsSynced, "/apps")}
            {Tile("apps-healthy", "Applications healthy", s.AppsHealthy, "/apps")}
            {Tile("policies", "Policies compliant", s.PoliciesCompliant, "/governance")}
            {Tile("secrets", "External secrets synced", s.ExternalSecretsSynced, "/secrets")}
            {Tile("storage", "Storage healthy", s.StorageHealthy, "/clusters")}
            </section>
            <h2>Clusters by cloud</h2>
            <section class="clouds">{(clouds.Length == 0 ? "<p class=\"muted\">No managed clusters yet.</p>" : clouds)}</section>
            <h2>Applications needing attention</h2>
            {Table(["Application", "Destination", "Sync", "Health", "Message"], problems, "Every application is Synced and Healthy.")}
            """;
        return new ConsolePage("Overview", Watch, body);
    }

    private static string Tile(string id, string title, Tally t, string href)
    {
        var tone = t.Total == 0 ? "none" : t.Bad == 0 ? "ok" : "bad";
        return $"""
            <a class="tile {tone}" href="{href}" data-tile="{id}"><span class="num"><span data-good>{t.Good}</span>/<span data-total>{t.Total}</span></span><span class="title">{E(title)}</span></a>
            """;
    }
}
