using System.Text.Json.Nodes;
using Mcg.GitOps.Diff;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Diff;

public class IgnoreDifferenceTests
{
    private static JsonObject Yaml(string yaml) => YamlJson.Parse(yaml)!.AsObject();

    [Fact]
    public void Parses_the_application_spec()
    {
        var app = Yaml("""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: guestbook
            spec:
              ignoreDifferences:
              - group: apps
                kind: Deployment
                name: guestbook-ui
                namespace: default
                jsonPointers:
                - /spec/replicas
                jqPathExpressions:
                - .spec.template.spec.initContainers[] | select(.name == "istio-init")
                managedFieldsManagers:
                - kube-controller-manager
              - kind: ConfigMap
                jsonPointers: [/data/generated]
            """);

        var rules = IgnoreDifference.FromApplicationSpec(app["spec"]!["ignoreDifferences"]!.AsArray());

        Assert.Equal(2, rules.Count);
        var first = rules[0];
        Assert.Equal(("apps", "Deployment", "guestbook-ui", "default"), (first.Group, first.Kind, first.Name, first.Namespace));
        Assert.Equal(["/spec/replicas"], first.JsonPointers);
        Assert.Equal(["""
            .spec.template.spec.initContainers[] | select(.name == "istio-init")
            """], first.JqPathExpressions);
        Assert.Equal(["kube-controller-manager"], first.ManagedFieldsManagers);
        Assert.Equal((null, "ConfigMap", null, null), (rules[1].Group, rules[1].Kind, rules[1].Name, rules[1].Namespace));
        Assert.Equal(["/data/generated"], rules[1].JsonPointers);
        Assert.Empty(rules[1].JqPathExpressions);
        Assert.Empty(rules[1].ManagedFieldsManagers);
    }

    [Fact]
    public void Absent_ignore_differences_give_no_rules()
    {
        Assert.Empty(IgnoreDifference.FromApplicationSpec(null));
    }

    [Theory]
    [InlineData("""[{"group":"apps"}]""", "spec.ignoreDifferences[0].kind: required")]
    [InlineData("""["Deployment"]""", "spec.ignoreDifferences[0]: expected an object")]
    [InlineData("""[{"kind":"Secret"},{"kind":"Secret","jsonPointers":"/data"}]""", "spec.ignoreDifferences[1].jsonPointers: expected a list of strings")]
    [InlineData("""[{"kind":"Secret","jqPathExpressions":[".a",1]}]""", "spec.ignoreDifferences[0].jqPathExpressions[1]: expected a string")]
    public void Malformed_entries_are_reported_with_their_place(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => IgnoreDifference.FromApplicationSpec(JsonNode.Parse(json)!.AsArray()));
        Assert.Equal(message, e.Message);
    }

    private static JsonObject Object(string apiVersion, string kind, string name = "web", string ns = "default") =>
        Yaml($"""
            apiVersion: {apiVersion}
            kind: {kind}
            metadata:
              name: {name}
              namespace: {ns}
            """);

    private static IgnoreDifference Rule(string? group, string kind, string? name = null, string? ns = null) =>
        new(group, kind, name, ns, [], [], []);

    [Theory]
    [InlineData("apps", "Deployment", true)]
    [InlineData("apps", "StatefulSet", false)]
    [InlineData("*", "Deployment", true)]
    [InlineData("app?", "*", true)]
    [InlineData("*.k8s.io", "Deployment", false)]
    [InlineData(null, "Deployment", false)]
    [InlineData("", "Deployment", false)]
    public void Group_and_kind_are_globs(string? group, string kind, bool matches)
    {
        Assert.Equal(matches, Rule(group, kind).Matches(Object("apps/v1", "Deployment")));
    }

    [Fact]
    public void No_group_means_the_core_group()
    {
        Assert.True(Rule(null, "ConfigMap").Matches(Object("v1", "ConfigMap")));
        Assert.False(Rule("apps", "ConfigMap").Matches(Object("v1", "ConfigMap")));
        Assert.True(Rule("*", "*").Matches(Object("v1", "ConfigMap")));
    }

    [Fact]
    public void Name_and_namespace_must_match_when_given()
    {
        var obj = Object("apps/v1", "Deployment", "web", "prod");
        Assert.True(Rule("apps", "Deployment", "web", "prod").Matches(obj));
        Assert.True(Rule("apps", "Deployment", "", "").Matches(obj));
        Assert.False(Rule("apps", "Deployment", "api").Matches(obj));
        Assert.False(Rule("apps", "Deployment", ns: "staging").Matches(obj));
    }
}
