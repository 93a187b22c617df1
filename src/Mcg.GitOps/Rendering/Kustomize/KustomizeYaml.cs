using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.Kube.Objects;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The YAML readings kustomize has besides the usual one: kustomization files and JSON patches go through a YAML 1.1
/// decoder (plain <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>/<c>y</c>/<c>n</c> are booleans, <c>010</c> is octal), and
/// merge keys (<c>&lt;&lt;</c>) are expanded. Plain scalars are otherwise typed as <see cref="YamlJson"/> types them.
/// </summary>
internal static class KustomizeYaml
{
    private const string MergeKey = "<<";
    private static readonly HashSet<string> True = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"];
    private static readonly HashSet<string> False = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"];

    /// <summary>Every non-empty document; syntax errors name <paramref name="displayName"/> and the line.</summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string text, string displayName, bool yaml11)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RenderException($"invalid YAML: {e.InnerException?.Message ?? e.Message}", displayName, (int)e.Start.Line);
        }
        return stream.Documents.Select(d => new Reader(displayName, yaml11).Convert(d.RootNode)).Where(n => n is not null).ToList();
    }

    /// <summary>The single document of <paramref name="text"/> read as YAML 1.1.</summary>
    public static JsonNode? ParseYaml11(string text, string displayName) => ParseAll(text, displayName, yaml11: true) switch
    {
        [] => null,
        [var single] => single,
        var docs => throw new RenderException($"expected one YAML document, found {docs.Count}", displayName),
    };

    private sealed class Reader(string displayName, bool yaml11)
    {
        public JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => Map(map),
            YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
            YamlScalarNode s when s.Style != ScalarStyle.Plain || IsStringTag(s.Tag) => JsonValue.Create(s.Value ?? ""),
            YamlScalarNode s => Plain(s.Value ?? ""),
            _ => null,
        };

        private JsonObject Map(YamlMappingNode map)
        {
            var result = new JsonObject();
            var merged = new List<YamlMappingNode>();
            foreach (var (k, v) in map.Children)
            {
                var key = Key(k);
                if (key == MergeKey && k is YamlScalarNode { Style: ScalarStyle.Plain })
                {
                    merged.AddRange(v switch
                    {
                        YamlMappingNode m => [m],
                        YamlSequenceNode s => s.Children.OfType<YamlMappingNode>(),
                        _ => throw new RenderException("a merge key must refer to a map or a list of maps", displayName, (int)k.Start.Line),
                    });
                    continue;
                }
                if (result.ContainsKey(key))
                {
                    throw new RenderException($"invalid YAML: duplicate key \"{key}\"", displayName, (int)k.Start.Line);
                }
                result[key] = Convert(v);
            }
            // Explicit keys win over merged ones, and earlier merged maps over later ones.
            foreach (var source in merged)
            {
                foreach (var (key, value) in Map(source))
                {
                    if (!result.ContainsKey(key))
                    {
                        result[key] = value?.DeepClone();
                    }
                }
            }
            return result;
        }

        /// <summary>A plain key that YAML 1.1 reads as a boolean becomes "true" or "false" once turned into JSON.</summary>
        private string Key(YamlNode key)
        {
            if (key is not YamlScalarNode scalar)
            {
                throw new RenderException("invalid YAML: mapping keys must be scalars", displayName, (int)key.Start.Line);
            }
            return yaml11 && scalar.Style == ScalarStyle.Plain && !IsStringTag(scalar.Tag) && Plain(scalar.Value ?? "") is JsonValue v
                && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? (v.GetValue<bool>() ? "true" : "false")
                : scalar.Value ?? "";
        }

        private JsonNode? Plain(string value)
        {
            if (yaml11 && True.Contains(value))
            {
                return JsonValue.Create(true);
            }
            if (yaml11 && False.Contains(value))
            {
                return JsonValue.Create(false);
            }
            if (value.Length == 0)
            {
                return null;
            }
            if (yaml11 && Integer11(value) is { } integer)
            {
                return JsonValue.Create(integer);
            }
            return YamlJson.Parse(value);
        }
    }

    private static bool IsStringTag(TagName tag) => !tag.IsEmpty && !tag.IsNonSpecific && tag.Value == "tag:yaml.org,2002:str";

    /// <summary>YAML 1.1 integers: underscores allowed, a leading 0 means octal, 0b binary, 0x hexadecimal.</summary>
    private static long? Integer11(string value)
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
