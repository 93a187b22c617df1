using Mcg.WebConsole.Fleet;
using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>The policy × cluster compliance matrix, with each cell's latest message and each policy's history.</summary>
public static class GovernancePage
{
    public const string Watch = "policies,managedclusters";

    public static ConsolePage Render(FleetView fleet)
    {
        var clusters = fleet.Policies.SelectMany(p => p.Clusters.Select(c => c.Cluster)).Concat(fleet.Clusters.Select(c => c.Name))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var head = "<tr><th>Policy</th><th>Remediation</th><th>Overall</th>" + string.Concat(clusters.Select(c => $"<th>{E(c)}</th>")) + "</tr>";
        var rows = string.Concat(fleet.Policies.Select(p =>
        {
            var cells = string.Concat(clusters.Select(c =>
            {
                var cell = p.Clusters.FirstOrDefault(x => x.Cluster == c);
                return cell is null ? "<td class=\"muted\">–</td>" : $"""<td title="{E(cell.Message)}">{Badge(cell.Compliant)}<div class="msg">{E(cell.Message)}</div></td>""";
            }));
            return $"<tr><td>{E($"{p.Namespace}/{p.Name}")}</td><td>{E(p.Remediation)}</td><td>{Badge(p.Compliant)}</td>{cells}</tr>\n";
        }));
        var history = string.Concat(fleet.Policies.Select(p => $"""
            <details><summary>{E($"{p.Namespace}/{p.Name}")} {Badge(p.Compliant)}</summary>
            {Table(["Cluster", "Time", "Message"], p.Clusters.SelectMany(c => c.History.Select(h => (IReadOnlyList<string>)[E(c.Cluster), E(h.Time), E(h.Message)])), "No history yet.")}
            </details>
            """));
        return new ConsolePage("Governance", Watch, fleet.Policies.Count == 0
            ? "<h1>Governance</h1><p class=\"muted\">No policies.</p>"
            : $"""
            <h1>Governance</h1>
            <div class="scroll"><table class="matrix"><thead>{head}</thead><tbody>{rows}</tbody></table></div>
            <h2>History</h2>
            {history}
            """);
    }
}
