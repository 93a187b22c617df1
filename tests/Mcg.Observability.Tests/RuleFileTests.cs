using System.Text.Json.Nodes;
using Mcg.Observability.Tests.Support;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Observability.Tests;

/// <summary>deploy/prometheus and deploy/grafana checked with the real tools.</summary>
public sealed class RuleFileTests
{
    [Fact]
    public async Task RulesPassPromtoolCheckRules()
    {
        var check = await Tools.RunAsync("promtool", ["check", "rules", RepoFiles.Path("deploy", "prometheus", "rules.yaml")]);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("SUCCESS: 15 rules found", check.Stdout);
    }

    [Fact]
    public async Task EveryAlertFiresOnTheSeriesMcgExportsAfterItsForDuration()
    {
        var test = await Tools.RunAsync("promtool", ["test", "rules", RepoFiles.Path("deploy", "prometheus", "rules.test.yaml")]);
        Assert.True(test.ExitCode == 0, test.Stdout + test.Stderr);
        Assert.Contains("SUCCESS", test.Stdout);
    }

    [Fact]
    public void DashboardIsAGrafanaDashboardWithAQueryOnEveryPanel()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(RepoFiles.Path("deploy", "grafana", "mcg-dashboard.json")))!;
        Assert.Equal("mcg-overview", dashboard["uid"]?.GetValue<string>());
        var panels = dashboard["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() != "row").ToList();
        Assert.True(panels.Count >= 20);
        Assert.All(panels, p => Assert.Contains(p!["targets"]!.AsArray(), t => t!["expr"]!.GetValue<string>().Length > 0));
        Assert.Equal(panels.Count, panels.Select(p => p!["id"]!.GetValue<int>()).Distinct().Count());
    }
}
