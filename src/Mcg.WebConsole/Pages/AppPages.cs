using System.Text.Json.Nodes;
using Mcg.GitOps.Diff;
using Mcg.Kube.Objects;
using Mcg.WebConsole.Fleet;
using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>The application list, and one application: resource tree, out-of-sync resources, history and actions.</summary>
public static class AppPages
{
    public const string Watch = "applications";

    public static ConsolePage List(FleetView fleet)
    {
        var rows = fleet.Applications.Select(a => (IReadOnlyList<string>)
        [
            $"""<a href="/apps/{U(a.Namespace)}/{U(a.Name)}">{E(a.Name)}</a>""", E(a.Namespace), E(a.Object["spec"]?["project"]?.ToString()),
            Cluster(a.Destination), Badge(a.Sync), Badge(a.Health), E(Short(a.Revision)),
        ]);
        return new ConsolePage("Applications", Watch, $"""
            <h1>Applications</h1>
            {Table(["Application", "Namespace", "Project", "Cluster", "Sync", "Health", "Revision"], rows, "No applications.")}
            """);
    }

    public static ConsolePage Detail(AppRow app, string csrf)
    {
        var a = app.Object;
        var spec = a["spec"] as JsonObject ?? [];
        var source = spec["source"] as JsonObject ?? (spec["sources"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault() ?? [];
        var status = a["status"] as JsonObject ?? [];
        var op = status["operationState"] as JsonObject;
        var resources = (status["resources"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var history = (status["history"] as JsonArray)?.OfType<JsonObject>().Reverse().ToList() ?? [];
        var automated = spec["syncPolicy"]?["automated"] is JsonObject auto && auto["enabled"]?.GetValue<bool>() != false;
        var outOfSync = resources.Where(r => r.GetString("status") is "OutOfSync").Select(r => (IReadOnlyList<string>)
            [E(r.GetString("kind")), E(r.GetString("namespace")), E(r.GetString("name")), Badge(r.GetString("status")), E(r["requiresPruning"]?.GetValue<bool>() == true ? "not in Git (prune)" : r["health"]?["status"] is null ? "missing on the cluster" : "differs from Git")]);
        var historyRows = history.Select(h => (IReadOnlyList<string>)
        [
            E(h["id"]?.ToString()), E(h.GetString("deployedAt")), $"<code>{E(Short(h.GetString("revision")))}</code>",
            E(h["source"]?["targetRevision"]?.ToString() ?? "HEAD"),
            automated ? "" : Action(app, "rollback", csrf, "Roll back", $"""<input type="hidden" name="id" value="{E(h["id"]?.ToString())}">""", "secondary"),
        ]);
        var body = $"""
            <h1>Application {E(app.Name)} <span class="status-line">{Badge(app.Sync)} {Badge(app.Health)}</span></h1>
            <div class="actions">
            {Action(app, "sync", csrf, "Sync", "", "primary")}
            {Action(app, "refresh", csrf, "Refresh", "", "secondary")}
            </div>
            <dl class="facts">
            <dt>Project</dt><dd>{E(spec["project"]?.ToString())}</dd>
            <dt>Source</dt><dd><code>{E(source.GetString("repoURL"))}</code> path <code>{E(source.GetString("path") ?? source.GetString("chart"))}</code> at <code>{E(source.GetString("targetRevision") ?? "HEAD")}</code></dd>
            <dt>Destination</dt><dd>{Cluster(app.Destination)} namespace <code>{E(spec["destination"]?["namespace"]?.ToString())}</code></dd>
            <dt>Sync policy</dt><dd>{(automated ? "automated" : "manual")}</dd>
            <dt>Revision</dt><dd><code>{E(Short(app.Revision))}</code></dd>
            <dt>Last operation</dt><dd data-operation>{(op is null ? "-" : $"{Badge(op.GetString("phase"))} {E(op.GetString("message"))} <span class=\"muted\">{E(op.GetString("finishedAt") ?? op.GetString("startedAt"))}</span>")}</dd>
            {(string.IsNullOrEmpty(app.Message) ? "" : $"<dt>Message</dt><dd>{E(app.Message)}</dd>")}
            </dl>
            <h2>Resources</h2>
            {Tree(resources)}
            <h2>Difference from Git</h2>
            {Table(["Kind", "Namespace", "Name", "Sync", "Difference"], outOfSync, "Every resource matches Git.")}
            <p><a href="/apps/{U(app.Namespace)}/{U(app.Name)}/diff" data-diff>Live diff against Git</a></p>
            <h2>History</h2>
            {Table(["ID", "Deployed", "Revision", "Target", ""], historyRows, "Never synced.")}
            """;
        return new ConsolePage(app.Name, Watch, body);
    }

    /// <summary>The live diff page: each differing object's unified diff (live → what a sync would make it), or why there is none.</summary>
    public static ConsolePage Diff(AppRow app, IReadOnlyList<ResourceDiff>? diffs, string? note)
    {
        var body = note is not null ? $"""<p class="muted">{E(note)}</p>"""
            : diffs!.Count == 0 ? "<p class=\"muted\">No difference: the live objects are what Git says.</p>"
            : string.Concat(diffs.Select(d => $"""
                <h2>{E(d.Kind)} {E(string.IsNullOrEmpty(d.Namespace) ? d.Name : $"{d.Namespace}/{d.Name}")}</h2>
                <pre class="diff">{string.Join("\n", d.Unified.TrimEnd('\n').Split('\n').Select(DiffLine))}</pre>
                """));
        return new ConsolePage($"{app.Name} diff", "", $"""
            <h1>Live diff of <a href="/apps/{U(app.Namespace)}/{U(app.Name)}">{E(app.Name)}</a></h1>
            {body}
            """);
    }

    private static string DiffLine(string line) => line switch
    {
        _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => $"<span class=\"hdr\">{E(line)}</span>",
        _ when line.StartsWith('+') => $"<span class=\"add\">{E(line)}</span>",
        _ when line.StartsWith('-') => $"<span class=\"del\">{E(line)}</span>",
        _ when line.StartsWith("@@", StringComparison.Ordinal) => $"<span class=\"hdr\">{E(line)}</span>",
        _ => E(line),
    };

    /// <summary>The managed resources as a tree: namespace → kind → object, each with its sync and health.</summary>
    private static string Tree(IReadOnlyList<JsonObject> resources)
    {
        if (resources.Count == 0)
        {
            return "<p class=\"muted\">No resources yet.</p>";
        }
        var namespaces = resources.GroupBy(r => r.GetString("namespace") ?? "", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
        return "<ul class=\"tree\">" + string.Concat(namespaces.Select(ns =>
            $"<li><span class=\"node ns\">{E(ns.Key.Length == 0 ? "(cluster-scoped)" : ns.Key)}</span><ul>" +
            string.Concat(ns.GroupBy(r => r.GetString("kind") ?? "", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(kind =>
                $"<li><span class=\"node kind\">{E(kind.Key)}</span><ul>" +
                string.Concat(kind.OrderBy(r => r.GetString("name"), StringComparer.Ordinal).Select(r =>
                    $"""<li data-resource="{E($"{kind.Key}/{r.GetString("name")}")}"><span class="node">{E(r.GetString("name"))}</span> {Badge(r.GetString("status"))} {Badge(r["health"]?["status"]?.ToString() ?? "-")} <span class="muted">{E(r["health"]?["message"]?.ToString())}</span></li>""")) +
                "</ul></li>")) +
            "</ul></li>")) + "</ul>";
    }

    private static string Cluster(string destination) =>
        destination.StartsWith("https://", StringComparison.Ordinal) || destination == "in-cluster" // the hub itself: not a ManagedCluster
            ? $"<code>{E(destination)}</code>"
            : $"""<a href="/clusters/{U(destination)}">{E(destination)}</a>""";

    private static string Action(AppRow app, string verb, string csrf, string label, string fields, string style) => $"""
        <form method="post" action="/apps/{U(app.Namespace)}/{U(app.Name)}/{verb}" data-action class="inline"><input type="hidden" name="csrf" value="{E(csrf)}">{fields}<button type="submit" class="{style}" data-verb="{verb}">{E(label)}</button></form>
        """;
}
