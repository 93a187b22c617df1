using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.Secrets.ValuesSecret;

/// <summary>YAML helpers with PyYAML (YAML 1.1, <c>yaml.safe_load</c>) typing, keeping scalars' text as written.</summary>
internal static class YamlNodes
{
    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];
    private static readonly HashSet<string> Trues = ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"];
    private static readonly HashSet<string> Falses = ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"];

    public static bool IsPlain(YamlScalarNode s) => s.Style is ScalarStyle.Plain or ScalarStyle.Any;

    public static bool IsNull(YamlNode? node) => node is null || (node is YamlScalarNode s && (s.Tag.IsEmpty ? IsPlain(s) && Nulls.Contains(s.Value ?? "") : s.Tag.Value == "tag:yaml.org,2002:null"));

    /// <summary>A boolean as PyYAML reads it, or null when the node is not a YAML 1.1 boolean.</summary>
    public static bool? Bool(YamlNode node)
    {
        if (node is not YamlScalarNode s || (!s.Tag.IsEmpty && s.Tag.Value != "tag:yaml.org,2002:bool") || (s.Tag.IsEmpty && !IsPlain(s)))
        {
            return null;
        }
        return Trues.Contains(s.Value ?? "") ? true : Falses.Contains(s.Value ?? "") ? false : null;
    }

    /// <summary>The text of a non-null scalar, or null for null, mappings and sequences.</summary>
    public static string? Text(YamlNode? node) => node is YamlScalarNode s && !IsNull(s) ? s.Value ?? "" : null;

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == key).Value;

    public static bool Has(YamlMappingNode map, string key) => map.Children.Any(kv => kv.Key is YamlScalarNode k && k.Value == key);

    public static IEnumerable<(string Key, YamlNode Value, long Line)> Entries(YamlMappingNode map) =>
        map.Children.Select(kv => ((kv.Key as YamlScalarNode)?.Value ?? "", kv.Value, kv.Key.Start.Line));

    /// <summary><c>str(syaml.get("version", "1.0"))</c> in Python: an unquoted <c>2.0</c> is a float and prints as <c>2.0</c>.</summary>
    public static string Version(YamlMappingNode root)
    {
        var node = Get(root, "version");
        if (node is null)
        {
            return "1.0";
        }
        if (IsNull(node))
        {
            return "None";
        }
        if (node is not YamlScalarNode s)
        {
            return "<not a scalar>";
        }
        var text = s.Value ?? "";
        if (s.Tag.IsEmpty && IsPlain(s) && text.Contains('.') && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
        }
        return text;
    }
}
