using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Rendering;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;
using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Samples;

/// <summary>
/// samples/multicloud-gitops: its values files read with the parser, and every application rendered with the project's
/// renderer after the generated per-cluster patches, checked against <c>kubectl kustomize</c> of the same input.
/// </summary>
public class SamplePatternTests
{
    private static readonly ClusterFacts Spoke = Fixtures.Spoke("aws-east", "AWS");

    public static TheoryData<string, string> Apps()
    {
        var data = new TheoryData<string, string>();
        foreach (var (group, facts) in new[] { ("hub", Fixtures.Hub()), ("group-one", Spoke) })
        {
            foreach (var app in PatternValues.Read(Fixtures.Sample, group, facts).ClusterGroup.Applications)
            {
                data.Add(group, app.Name);
            }
        }
        return data;
    }

    [Fact]
    public void ValuesFilesAreValidAndInTheCurrentFormat()
    {
        var hub = PatternValues.Read(Fixtures.Sample, null, Fixtures.Hub());
        Assert.Equal("multicloud-gitops", hub.Global.Pattern);
        Assert.Equal(FormatGeneration.Current, hub.ClusterGroup.Generation);
        Assert.Equal("group-one", Assert.Single(hub.ClusterGroup.ManagedClusterGroups).Name);
        var group = PatternValues.Read(Fixtures.Sample, "group-one", Spoke);
        Assert.Equal(["hello-world", "config-demo", "portworx", "portworx-demo"], group.ClusterGroup.Applications.Select(a => a.Name));
        Assert.All(group.ClusterGroup.Applications, a => Assert.Equal(SourceKind.Kustomization, SourceDetector.Detect(Fixtures.Sample, a.Path)));
        var secrets = (JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(Fixtures.Sample, "values-secret.yaml.template")))!;
        Assert.Equal("2.0", secrets["version"]!.GetValue<string>());
        Assert.Equal("global", secrets["secrets"]![0]!["vaultPrefixes"]![0]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task EveryApplicationRendersLikeKubectlKustomize(string group, string appName)
    {
        var facts = group == "hub" ? Fixtures.Hub() : Spoke;
        var values = PatternValues.Read(Fixtures.Sample, group, facts);
        var ctx = new GenerationContext("file:///sample", "main", "argocd", facts, Fixtures.Sample) { ManagedCluster = group == "hub" ? null : facts.ClusterName };
        var (apps, problems) = ApplicationGenerator.Generate(values, ctx);
        Assert.Empty(problems);
        var app = apps.Single(a => a.Name()!.EndsWith(appName, StringComparison.Ordinal));
        var sourceJson = (JsonObject)app["spec"]!["source"]!;
        var appDir = Path.Combine(Fixtures.Sample, sourceJson["path"]!.GetValue<string>());
        // Our renderer applies spec.source.kustomize itself; kubectl kustomize gets what Argo CD's kustomize edit writes.
        var dir = ArgoKustomizePatches.Apply(appDir, sourceJson["kustomize"] as JsonObject);

        var rendered = new ManifestRenderer().Render(appDir, ApplicationSource.Parse(sourceJson, "spec.source"));
        var expected = YamlJson.ParseAll(await KubectlKustomizeAsync(dir)).OfType<JsonObject>().ToList();
        Assert.Equal(expected.Count, rendered.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(expected[i], rendered[i]), $"{appName} object {i}:\n{YamlJson.ToYaml(rendered[i])}\nkubectl kustomize:\n{YamlJson.ToYaml(expected[i])}");
        }
        if (appName == "hello-world")
        {
            var page = rendered.Single(o => o.Name() == "hello-world" && o.Kind() == "ConfigMap")["data"]!["index.html"]!.GetValue<string>();
            Assert.Contains($"\n{facts.ClusterName}\n", page);
            Assert.Contains($"\n{facts.Platform}\n", page);
            Assert.Contains($"\n{facts.LocalClusterDomain}\n", page);
            Assert.Contains($"\n{facts.HubClusterDomain}\n", page);
        }
    }

    private static async Task<string> KubectlKustomizeAsync(string dir)
    {
        var psi = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("kustomize");
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await error);
        return await output;
    }
}
