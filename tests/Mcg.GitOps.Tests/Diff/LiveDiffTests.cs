using System.Text.Json.Nodes;
using Mcg.GitOps.Diff;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Diff;

public sealed class LiveDiffTests
{
    private static JsonObject Yaml(string text) => (JsonObject)YamlJson.Parse(text)!;

    private const string Target = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: {app: web}}
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - name: app
                image: nginx:1
                ports: [{containerPort: 80}]
        """;

    [Fact]
    public void DefaultsAndStatusAddedByTheClusterDoNotMakeItOutOfSync()
    {
        var live = Yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}, uid: x, resourceVersion: "9", generation: 3}
            spec:
              replicas: 2
              progressDeadlineSeconds: 600
              template:
                spec:
                  containers:
                  - name: app
                    image: nginx:1
                    imagePullPolicy: IfNotPresent
                    ports: [{containerPort: 80, protocol: TCP}]
            status: {readyReplicas: 2}
            """);
        Assert.Empty(LiveDiff.Differences(Yaml(Target), live));
    }

    [Fact]
    public void ChangedValuesAndMissingItemsAreReportedByPath()
    {
        var live = Yaml(Target.Replace("nginx:1", "nginx:2").Replace("replicas: 2", "replicas: 3"));
        Assert.Equal([".spec.replicas", ".spec.template.spec.containers[name=\"app\"].image"], LiveDiff.Differences(Yaml(Target), live));
        var extraContainer = Yaml(Target.Replace("      - name: app", "      - name: side\n        image: busybox\n      - name: app"));
        Assert.NotEmpty(LiveDiff.Differences(Yaml(Target), extraContainer));
    }

    [Fact]
    public void NumbersCompareByValue()
    {
        var target = Yaml("apiVersion: v1\nkind: X\nmetadata: {name: a}\nspec: {ratio: 1}");
        var live = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"X","metadata":{"name":"a"},"spec":{"ratio":1.0}}""")!;
        Assert.True(LiveDiff.IsSynced(target, live));
    }
}
