using Mcg.WebConsole.Fleet;
using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>The cluster list, and one cluster with its applications, policies, external secrets and storage.</summary>
public static class ClusterPages
{
    public const string Watch = "managedclusters,applications,policies,manifestworks";

    public static ConsolePage List(FleetView fleet, DateTimeOffset now)
    {
        var rows = fleet.Clusters.Select(c => (IReadOnlyList<string>)
        [
            $"""<a href="/clusters/{U(c.Name)}">{E(c.Name)}</a>""", E(c.Cloud), Badge(c.Available), E(Age(c.LeaseRenewed, now)),
            Labels(c.Labels.Where(l => l.Key != "cloud")), Labels(c.Claims),
        ]);
        return new ConsolePage("Clusters", Watch, $"""
            <h1>Clusters</h1>
            {Table(["Cluster", "Cloud", "Available", "Lease age", "Labels", "Claims"], rows, "No managed clusters yet.")}
            """);
    }

    public static ConsolePage? Detail(FleetView fleet, string name, DateTimeOffset now)
    {
        var c = fleet.Clusters.FirstOrDefault(x => x.Name == name);
        if (c is null)
        {
            return null;
        }
        var apps = fleet.Applications.Where(a => a.Destination == name).Select(a => (IReadOnlyList<string>)
            [$"""<a href="/apps/{U(a.Namespace)}/{U(a.Name)}">{E(a.Name)}</a>""", Badge(a.Sync), Badge(a.Health), E(Short(a.Revision)), E(a.Message)]);
        var policies = fleet.Policies.SelectMany(p => p.Clusters.Where(x => x.Cluster == name).Select(x => (IReadOnlyList<string>)
            [E($"{p.Namespace}/{p.Name}"), E(p.Remediation), Badge(x.Compliant), E(x.Message)]));
        return new ConsolePage(name, Watch, $"""
            <h1>Cluster {E(name)}</h1>
            <dl class="facts">
            <dt>Cloud</dt><dd>{E(c.Cloud)}</dd>
            <dt>Available</dt><dd>{Badge(c.Available)}</dd>
            <dt>Lease age</dt><dd>{E(Age(c.LeaseRenewed, now))}</dd>
            <dt>Labels</dt><dd>{Labels(c.Labels)}</dd>
            <dt>Claims</dt><dd>{Labels(c.Claims)}</dd>
            </dl>
            <h2>Applications</h2>
            {Table(["Application", "Sync", "Health", "Revision", "Message"], apps, "No applications deliver to this cluster.")}
            <h2>Policies</h2>
            {Table(["Policy", "Remediation", "Compliance", "Message"], policies, "No policies are placed on this cluster.")}
            <h2>External secrets</h2>
            {SecretsPage.Table(fleet.ExternalSecrets.Where(s => s.Cluster == name), now)}
            <h2>Storage</h2>
            {StorageTable(fleet.Storage.Where(s => s.Cluster == name))}
            """);
    }

    public static string StorageTable(IEnumerable<ClusterResourceRow> rows) => Table(["Kind", "Namespace", "Name", "Application", "Phase", "Health", "Message"],
        rows.Select(r => (IReadOnlyList<string>)[E(r.Kind), E(r.Namespace), E(r.Name), E(r.App), Badge(r.Phase), Badge(r.Health), E(r.Message)]),
        "No StorageCluster or PVC is delivered to this cluster.");
}
