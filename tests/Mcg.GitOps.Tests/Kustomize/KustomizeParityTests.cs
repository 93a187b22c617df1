using System.Text.Json.Nodes;
using Mcg.GitOps.Rendering.Kustomize;
using Mcg.Kube.Objects;
using Xunit.Abstractions;

namespace Mcg.GitOps.Tests.Kustomize;

/// <summary>Each fixture rendered natively must equal <c>kubectl kustomize</c>'s output, document for document, in order.</summary>
public sealed class KustomizeParityTests(ITestOutputHelper output)
{
    public static string FixturesRoot => Path.Combine(AppContext.BaseDirectory, "Kustomize", "Fixtures");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(FixturesRoot).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Fact]
    public void ThereAreAtLeastThirtyFixtures() => Assert.True(Fixtures().Count >= 30, $"only {Fixtures().Count} fixtures");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RendersLikeKubectlKustomize(string fixture)
    {
        var dir = Path.Combine(FixturesRoot, fixture);
        var expected = Kubectl.Kustomize(dir);
        Assert.True(expected.ExitCode == 0, $"kubectl kustomize failed: {expected.Error}");
        var actual = new KustomizeRenderer().Render(dir);
        var equal = actual.Count == expected.Objects.Count
            && actual.Zip(expected.Objects).All(p => JsonNode.DeepEquals(p.First, p.Second));
        if (!equal)
        {
            output.WriteLine("--- expected (kubectl kustomize)");
            output.WriteLine(string.Join("---\n", expected.Objects.Select(Dump)));
            output.WriteLine("--- actual (KustomizeRenderer)");
            output.WriteLine(string.Join("---\n", actual.Select(Dump)));
        }
        Assert.True(equal, $"{fixture}: output differs from kubectl kustomize (see test output)");
    }

    /// <summary>YAML with sorted keys, so the two sides diff line by line.</summary>
    private static string Dump(JsonNode? node) => YamlJson.ToYaml(JsonNode.Parse(Sorted(node)?.ToJsonString() ?? "null"));

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
