using Mcg.GitOps.Rendering;
using Mcg.GitOps.Rendering.Kustomize;

namespace Mcg.GitOps.Tests.Kustomize;

public sealed class KustomizeErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-kustomize-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string content)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private RenderException Fails() => Assert.Throws<RenderException>(() => new KustomizeRenderer().Render(_dir));

    [Theory]
    [InlineData("vars: []", "vars")]
    [InlineData("helmCharts: []", "helmCharts")]
    [InlineData("crds: [crd.yaml]", "crds")]
    [InlineData("transformers: [t.yaml]", "transformers")]
    [InlineData("openapi:\n  path: schema.json", "openapi")]
    [InlineData("notAField: 1", "notAField")]
    public void UnsupportedOrUnknownFieldsNameTheFileAndField(string yaml, string field)
    {
        Write("kustomization.yaml", "resources: []\n" + yaml + "\n");
        var e = Fails();
        Assert.Equal("kustomization.yaml", e.File);
        Assert.Contains($"\"{field}\"", e.Message);
    }

    [Fact]
    public void UnknownNestedFieldsAreRejected()
    {
        Write("kustomization.yaml", "images:\n- name: nginx\n  newTage: \"1\"\n");
        var e = Fails();
        Assert.Contains("images[0].newTage", e.Message);
    }

    [Fact]
    public void InvalidYamlInAResourceNamesFileAndLine()
    {
        Write("kustomization.yaml", "resources:\n- sub/bad.yaml\n");
        Write("sub/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a\n");
        var e = Fails();
        Assert.Equal("sub/bad.yaml", e.File);
        Assert.NotNull(e.Line);
        Assert.StartsWith("sub/bad.yaml:", e.Message);
    }

    [Fact]
    public void InvalidYamlInTheKustomizationNamesTheLine()
    {
        Write("kustomization.yaml", "resources: []\nnamePrefix: a-\nnamePrefix: b-\n");
        var e = Fails();
        Assert.Equal("kustomization.yaml", e.File);
        Assert.Equal(3, e.Line);
        Assert.Contains("duplicate key", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MissingResourceFileIsAnError()
    {
        Write("kustomization.yaml", "resources:\n- missing.yaml\n");
        var e = Fails();
        Assert.Contains("missing.yaml", e.Message);
        Assert.Equal("kustomization.yaml", e.File);
    }

    [Fact]
    public void RemoteResourcesAreRejected()
    {
        Write("kustomization.yaml", "resources:\n- https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0\n");
        Assert.Contains("remote", Fails().Message);
    }

    [Fact]
    public void FilesOutsideTheKustomizationRootAreRejected()
    {
        Write("outside.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        Write("app/kustomization.yaml", "resources:\n- ../outside.yaml\n");
        Assert.Contains("not in or below", Assert.Throws<RenderException>(() => new KustomizeRenderer().Render(Path.Combine(_dir, "app"))).Message);
    }

    [Fact]
    public void DirectoryWithoutKustomizationIsAnError() =>
        Assert.Contains("unable to find one of", Fails().Message);

    [Fact]
    public void DuplicateIdsAreAnError()
    {
        Write("kustomization.yaml", "resources:\n- a.yaml\n- b.yaml\n");
        Write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        Write("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        Assert.Contains("already registered id", Fails().Message);
    }

    [Fact]
    public void MergingAGeneratorThatDoesNotExistIsAnError()
    {
        Write("kustomization.yaml", "configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [a=b]\n");
        Assert.Contains("does not exist", Fails().Message);
    }

    [Fact]
    public void ComponentsMustBeComponents()
    {
        Write("kustomization.yaml", "components:\n- comp\n");
        Write("comp/kustomization.yaml", "resources: []\n");
        Assert.Contains("expected kind 'Component'", Fails().Message);
    }

    [Fact]
    public void PatchWithoutTargetResourceIsAnError()
    {
        Write("kustomization.yaml", "patches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: nope\n");
        Assert.Contains("no resource matches", Fails().Message);
    }
}
