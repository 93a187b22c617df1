using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Kube.Objects;

namespace Mcg.EndToEnd.Tests;

/// <summary><c>mcg render</c> prints what <c>kubectl kustomize</c> prints.</summary>
public sealed class RenderCommandTests
{
    [Fact]
    public async Task RenderMatchesKubectlKustomize()
    {
        var dir = Directory.CreateTempSubdirectory("mcg-render-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "base"));
            await File.WriteAllTextAsync(Path.Combine(dir, "base", "kustomization.yaml"), "resources: [deploy.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [mode=fast]\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "base", "deploy.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: app
                        image: nginx:1.25
                        envFrom: [{configMapRef: {name: settings}}]
                """);
            await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), """
                resources: [base]
                namePrefix: prod-
                namespace: shop
                commonLabels: {team: blue}
                images: [{name: nginx, newTag: "1.27"}]
                replicas: [{name: web, count: 3}]
                """);
            var ours = await McgCli.RunAsync(Path.Combine(dir, "kubeconfig"), TimeSpan.FromSeconds(60), "render", dir);
            Assert.True(ours.ExitCode == 0, ours.Err);
            var theirs = await new Kubectl(Path.Combine(dir, "kubeconfig")).RunAsync($"kustomize {dir}");
            Assert.True(theirs.ExitCode == 0, theirs.Err);
            var a = YamlJson.ParseAll(ours.Out);
            var b = YamlJson.ParseAll(theirs.Out);
            Assert.Equal(b.Count, a.Count);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(a[i], b[i]), $"document {i} differs:\n{a[i]}\n---\n{b[i]}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
