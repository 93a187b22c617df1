using System.Text.Json.Nodes;
using Mcg.GitOps.Rendering;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Rendering;

public sealed class DirectoryRendererTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-directory-").FullName;

    public DirectoryRendererTests()
    {
        Write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a2\n");
        Write("b.json", """{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}""");
        Write("c.json", """{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1"}}, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c2"}}]}""");
        Write("notes.txt", "not a manifest");
        Write("sub/d.yml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: d\n");
        Write("sub/deeper/e.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: e\n");
        Write("env-use2/f.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: f\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private IReadOnlyList<string?> Names(DirectoryOptions options) =>
        new DirectoryRenderer().Render(_dir, options).Select(o => o.Name()).ToList();

    [Fact]
    public void TopLevelOnlyByDefault() => Assert.Equal(["a", "a2", "b", "c1", "c2"], Names(new DirectoryOptions()));

    [Fact]
    public void RecursesInPathOrder() =>
        Assert.Equal(["a", "a2", "b", "c1", "c2", "f", "d", "e"], Names(new DirectoryOptions(Recurse: true)));

    [Fact]
    public void IncludeWithBraces() =>
        Assert.Equal(["a", "a2", "f"], Names(new DirectoryOptions(Recurse: true, Include: "{a.yaml,env-use2/*}")));

    [Fact]
    public void IncludeCommaSeparated() =>
        Assert.Equal(["b", "c1", "c2", "d"], Names(new DirectoryOptions(Recurse: true, Include: "*.json,sub/*.yml")));

    [Fact]
    public void StarMatchesAcrossDirectories() =>
        Assert.Equal(["d", "e"], Names(new DirectoryOptions(Recurse: true, Include: "sub/*")));

    [Fact]
    public void ExcludeWins() =>
        Assert.Equal(["a", "a2", "f", "d"], Names(new DirectoryOptions(Recurse: true, Include: "*.y*ml", Exclude: "{sub/deeper/*,*.json}")));

    [Fact]
    public void CharacterClassesAndSingleCharacters() =>
        Assert.Equal(["a", "a2", "b"], Names(new DirectoryOptions(Include: "[ab].{yaml,json}")));

    [Fact]
    public void BadYamlNamesFileAndLine()
    {
        Write("sub/bad.yaml", "apiVersion: v1\nmetadata:\n  name: x\nkind: [\n");
        var e = Assert.Throws<RenderException>(() => new DirectoryRenderer().Render(_dir, new DirectoryOptions(Recurse: true)));
        Assert.Equal("sub/bad.yaml", e.File);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void YamlFilesThatAreNotManifestsAreSkipped()
    {
        Write("values.yaml", "replicaCount: 3\nimage: [unclosed\n");
        Write("z.yaml", "foo: bar\n");
        Assert.Equal(["a", "a2", "b", "c1", "c2"], Names(new DirectoryOptions()));
    }

    [Fact]
    public void BrokenManifestsAreErrors()
    {
        Write("z.yaml", "apiVersion: v1\nmetadata:\n  name: z\nkind:\n");
        Assert.Equal("z.yaml", Assert.Throws<RenderException>(() => new DirectoryRenderer().Render(_dir, new DirectoryOptions())).File);
        Write("z.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\n---\nfoo: bar\n");
        Assert.Equal("z.yaml", Assert.Throws<RenderException>(() => new DirectoryRenderer().Render(_dir, new DirectoryOptions())).File);
    }

    [Fact]
    public void JsonFilesMustBeObjects()
    {
        Write("z.json", "{\"foo\": 1}");
        Assert.Equal("z.json", Assert.Throws<RenderException>(() => new DirectoryRenderer().Render(_dir, new DirectoryOptions())).File);
    }

    [Fact]
    public void JsonObjectsKeepTheirTypes()
    {
        var secret = new DirectoryRenderer().Render(_dir, new DirectoryOptions(Include: "b.json")).Single();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}"""), secret));
    }
}
