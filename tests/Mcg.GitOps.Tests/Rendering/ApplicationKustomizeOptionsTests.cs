using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Rendering;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Rendering;

/// <summary>An Application's <c>spec.source.kustomize</c> options act on the root kustomization, as Argo CD's <c>kustomize edit</c> does.</summary>
public sealed class ApplicationKustomizeOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-kopts-").FullName;

    public ApplicationKustomizeOptionsTests()
    {
        File.WriteAllText(Path.Combine(_dir, "kustomization.yaml"), "resources: [app.yaml]\ncommonLabels: {team: a}\n");
        File.WriteAllText(Path.Combine(_dir, "app.yaml"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 1
              template:
                spec:
                  containers: [{name: web, image: nginx:1.25}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: values, labels: {facts: "true"}}
            data: {cluster: unknown}
            """);
    }

    private static IReadOnlyList<JsonObject> Render(string dir, string kustomizeYaml) =>
        new ManifestRenderer().Render(dir, ApplicationSource(kustomizeYaml));

    private static ApplicationSource ApplicationSource(string kustomizeYaml) =>
        Mcg.GitOps.Applications.ApplicationSource.Parse(new JsonObject
        {
            ["repoURL"] = "file:///x",
            ["path"] = ".",
            ["kustomize"] = YamlJson.Parse(kustomizeYaml),
        }, "spec.source");

    [Fact]
    public void Patches_prefix_images_labels_and_replicas_apply_to_the_root_kustomization()
    {
        var objects = Render(_dir, """
            namePrefix: p-
            commonLabels: {env: prod}
            images: ["nginx=registry.local/nginx:1.27"]
            replicas: [{name: web, count: 3}]
            patches:
              - target: {kind: ConfigMap, labelSelector: facts=true}
                patch: |
                  - op: replace
                    path: /data/cluster
                    value: aws-1
            """);
        var deployment = objects.Single(o => o.Kind() == "Deployment");
        var config = objects.Single(o => o.Kind() == "ConfigMap");
        Assert.Equal("p-web", deployment.Name());
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("registry.local/nginx:1.27", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("prod", deployment.Metadata()["labels"]!["env"]!.GetValue<string>());
        Assert.Equal("a", deployment.Metadata()["labels"]!["team"]!.GetValue<string>());
        Assert.Equal("aws-1", config["data"]!["cluster"]!.GetValue<string>());
    }

    [Fact]
    public void An_option_we_do_not_implement_is_an_error_naming_the_field()
    {
        var e = Assert.Throws<RenderException>(() => Render(_dir, "labelWithoutSelector: true"));
        Assert.Contains("spec.source.kustomize.labelWithoutSelector is not supported", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
