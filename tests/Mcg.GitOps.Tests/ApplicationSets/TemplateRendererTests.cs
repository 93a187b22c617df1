using System.Text.Json.Nodes;
using Mcg.GitOps.ApplicationSets;
using Mcg.GitOps.Delivery;

namespace Mcg.GitOps.Tests.ApplicationSets;

public sealed class TemplateRendererTests
{
    private static readonly JsonObject Cluster = new()
    {
        ["name"] = "aws-1",
        ["server"] = "https://aws-1.example:6443",
        ["clusterName"] = "aws-1",
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["cloud"] = "AWS" } },
    };

    private static JsonObject Template(string name, string ns, string info = "{{ server }}") => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["destination"] = new JsonObject { ["namespace"] = ns }, ["info"] = new JsonArray(info) },
    };

    [Fact]
    public void FasttemplateReplacesKnownDottedParametersAndKeepsUnknownTags()
    {
        var app = TemplateRenderer.Render(Template("{{name}}-guestbook", "{{metadata.labels.cloud}}-{{ clusterName }}-{{unknown}}"), Cluster, goTemplate: false, missingKeyError: false);
        Assert.Equal("aws-1-guestbook", app["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("AWS-aws-1-{{unknown}}", app["spec"]!["destination"]!["namespace"]!.GetValue<string>());
        Assert.Equal("https://aws-1.example:6443", app["spec"]!["info"]![0]!.GetValue<string>());
    }

    [Fact]
    public void GoTemplateReadsFieldsAndIndexAndReportsMissingKeys()
    {
        var app = TemplateRenderer.Render(Template("{{.name}}-app", "{{ index .metadata.labels \"cloud\" }}/{{.metadata.labels.cloud}}/{{.nope}}", "{{ .server }}"), Cluster, goTemplate: true, missingKeyError: false);
        Assert.Equal("aws-1-app", app["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("AWS/AWS/<no value>", app["spec"]!["destination"]!["namespace"]!.GetValue<string>());
        Assert.Equal("https://aws-1.example:6443", app["spec"]!["info"]![0]!.GetValue<string>());
        var error = Assert.Throws<TemplateException>(() => TemplateRenderer.Render(Template("{{.nope}}", "x", ""), Cluster, goTemplate: true, missingKeyError: true));
        Assert.Contains("map has no entry for key \"nope\"", error.Message);
        Assert.Throws<TemplateException>(() => TemplateRenderer.Render(Template("{{ printf \"%s\" .name }}", "x", ""), Cluster, goTemplate: true, missingKeyError: false));
    }

    [Theory]
    [InlineData("Deployment", "deployments")]
    [InlineData("Ingress", "ingresses")]
    [InlineData("NetworkPolicy", "networkpolicies")]
    [InlineData("Gateway", "gateways")]
    public void GuessesThePluralResourceAsApimachinery(string kind, string resource) => Assert.Equal(resource, RemoteComparer.GuessResource(kind));
}
