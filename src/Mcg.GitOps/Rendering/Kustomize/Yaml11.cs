using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// kustomize decodes kustomization files and JSON patches with a YAML 1.1 decoder, so plain <c>yes</c>, <c>no</c>,
/// <c>on</c>, <c>off</c>, <c>y</c> and <c>n</c> are booleans there; everything else is typed as in the rest of the build.
/// </summary>
internal static class Yaml11
{
    private static readonly HashSet<string> True = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"];
    private static readonly HashSet<string> False = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"];

    /// <summary>The first document of <paramref name="text"/>; syntax errors name <paramref name="displayName"/> and the line.</summary>
    public static JsonNode? Parse(string text, string displayName)
    {
        FileLoader.ParseYaml(text, displayName);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", Convert(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Tag.IsEmpty: true } s => Plain(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    private static JsonNode? Plain(string value) =>
        True.Contains(value) ? JsonValue.Create(true)
        : False.Contains(value) ? JsonValue.Create(false)
        : value.Length == 0 ? null
        : YamlJson.Parse(value);
}
