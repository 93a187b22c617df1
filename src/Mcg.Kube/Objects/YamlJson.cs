using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.Kube.Objects;

/// <summary>YAML ↔ JSON for Kubernetes documents, with YAML 1.2 core-schema typing of plain scalars.</summary>
public static class YamlJson
{
    /// <summary>Parses every document of a (multi-document) YAML stream; empty documents are skipped.</summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string yaml, string source = "<input>")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"{source}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        return stream.Documents.Select(d => Convert(d.RootNode)).Where(n => n is not null).ToList();
    }

    /// <summary>Parses a single YAML (or JSON) document.</summary>
    public static JsonNode? Parse(string yaml, string source = "<input>")
    {
        var docs = ParseAll(yaml, source);
        return docs.Count switch
        {
            0 => null,
            1 => docs[0],
            _ => throw new FormatException($"{source}: expected one YAML document, found {docs.Count}"),
        };
    }

    public static string ToYaml(JsonNode? node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(ToYamlNode(node))).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => null,
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? throw new FormatException($"line {k.Start.Line}: mapping keys must be scalars");
            if (key == "<<")
            {
                throw new FormatException($"line {k.Start.Line}: YAML merge keys are not supported");
            }
            if (obj.ContainsKey(key))
            {
                throw new FormatException($"line {k.Start.Line}: duplicate key \"{key}\"");
            }
            obj[key] = Convert(v);
        }
        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode s)
    {
        var value = s.Value ?? "";
        var tag = s.Tag.IsEmpty ? null : s.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }
        if ((char.IsDigit(value[0]) || value[0] is '-' or '+' or '.') && value.Any(char.IsDigit)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !value.Contains(':'))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(value);
    }

    private static YamlNode ToYamlNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var map = new YamlMappingNode();
                foreach (var (k, v) in obj)
                {
                    map.Add(new YamlScalarNode(k), ToYamlNode(v));
                }
                return map;
            case JsonArray arr:
                return new YamlSequenceNode(arr.Select(ToYamlNode));
            case null:
                return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            default:
                if (node.GetValueKind() == System.Text.Json.JsonValueKind.String)
                {
                    var text = node.GetValue<string>();
                    var needsQuotes = ConvertScalar(new YamlScalarNode(text)) is not JsonValue jv || jv.GetValueKind() != System.Text.Json.JsonValueKind.String;
                    return new YamlScalarNode(text) { Style = LiteralSafe(text) ? ScalarStyle.Literal : needsQuotes || text.Contains('\n') ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };
                }
                return new YamlScalarNode(node.ToJsonString()) { Style = ScalarStyle.Plain };
        }
    }

    /// <summary>
    /// Whether a literal block (<c>|</c>) reads back as the same string: blocks cannot start with blank or indented
    /// lines (the emitter's indentation indicator does not survive every case), hold only line breaks, or keep
    /// trailing spaces and carriage returns; those strings are double-quoted instead.
    /// </summary>
    private static bool LiteralSafe(string text) =>
        text.Contains('\n') && text.Trim().Length > 0 && !text.StartsWith(' ') && !text.StartsWith('\n') && !text.Contains('\r')
        && !text.Split('\n').Any(line => line.EndsWith(' ') || line.EndsWith('\t'));
}
