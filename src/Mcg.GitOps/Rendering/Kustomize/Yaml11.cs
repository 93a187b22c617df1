using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(Key((YamlScalarNode)p.Key), Convert(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Tag.IsEmpty: true } s => Plain(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    /// <summary>A plain key that YAML 1.1 reads as a boolean becomes "true" or "false" once turned into JSON.</summary>
    private static string Key(YamlScalarNode key) =>
        key is { Style: ScalarStyle.Plain, Tag.IsEmpty: true } && Plain(key.Value ?? "") is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? (v.GetValue<bool>() ? "true" : "false")
            : key.Value ?? "";

    private static JsonNode? Plain(string value)
    {
        if (True.Contains(value))
        {
            return JsonValue.Create(true);
        }
        if (False.Contains(value))
        {
            return JsonValue.Create(false);
        }
        if (value.Length == 0)
        {
            return null;
        }
        if (Integer(value) is { } integer)
        {
            return JsonValue.Create(integer);
        }
        return YamlJson.Parse(value);
    }

    /// <summary>YAML 1.1 integers: underscores allowed, a leading 0 means octal, 0b binary, 0x hexadecimal.</summary>
    private static long? Integer(string value)
    {
        var m = Regex.Match(value, "^([-+]?)(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[1-9][0-9_]*|0)$");
        if (!m.Success)
        {
            return null;
        }
        var digits = m.Groups[2].Value.Replace("_", "", StringComparison.Ordinal);
        var magnitude = digits switch
        {
            ['0', 'b', .. var bits] => System.Convert.ToInt64(bits, 2),
            ['0', 'x', .. var hex] => System.Convert.ToInt64(hex, 16),
            ['0', _, ..] => System.Convert.ToInt64(digits[1..], 8),
            _ => long.Parse(digits, CultureInfo.InvariantCulture),
        };
        return m.Groups[1].Value == "-" ? -magnitude : magnitude;
    }
}
