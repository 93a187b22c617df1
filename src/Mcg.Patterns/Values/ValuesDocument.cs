using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.Patterns.Values;

/// <summary>Where a value came from: the values file and its line.</summary>
public readonly record struct ValueOrigin(string File, int? Line);

/// <summary>
/// Helm-style values: a JSON tree read from one or more YAML files, layered as Helm layers <c>-f</c> files (maps merge
/// key by key, anything else is replaced), remembering for every field the file and line it
/// came from so that errors can name them.
/// </summary>
public sealed class ValuesDocument
{
    private readonly Dictionary<string, ValueOrigin> _origins;

    private ValuesDocument(JsonObject root, Dictionary<string, ValueOrigin> origins, IReadOnlyList<string> files)
    {
        Root = root;
        _origins = origins;
        Files = files;
    }

    public JsonObject Root { get; }

    /// <summary>The files layered into this document, first to last.</summary>
    public IReadOnlyList<string> Files { get; }

    public static ValuesDocument Empty => new(new JsonObject(), new Dictionary<string, ValueOrigin>(StringComparer.Ordinal), []);

    /// <summary>Reads one values file; <paramref name="displayName"/> is how errors name it (e.g. its path in the repository).</summary>
    public static ValuesDocument Load(string path, string displayName)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ValuesException(displayName, null, "", $"cannot be read: {e.Message}");
        }
        return Parse(text, displayName);
    }

    public static ValuesDocument Parse(string text, string displayName)
    {
        JsonNode? root;
        try
        {
            root = YamlJson.Parse(text, displayName);
        }
        catch (FormatException e)
        {
            throw new ValuesException(displayName, null, "", e.Message.StartsWith(displayName, StringComparison.Ordinal) ? e.Message[(displayName.Length + 2)..] : e.Message);
        }
        if (root is not null and not JsonObject)
        {
            throw new ValuesException(displayName, 1, "", "a values file must hold a mapping at the top level");
        }
        var origins = new Dictionary<string, ValueOrigin>(StringComparer.Ordinal);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ValuesException(displayName, (int)e.Start.Line, "", e.Message);
        }
        if (stream.Documents.Count > 0)
        {
            RecordOrigins(stream.Documents[0].RootNode, "", displayName, origins);
        }
        return new ValuesDocument(root as JsonObject ?? new JsonObject(), origins, [displayName]);
    }

    /// <summary>This document with <paramref name="over"/> layered on top (Helm's order: later files win).</summary>
    public ValuesDocument Merge(ValuesDocument over)
    {
        var root = (JsonObject)Root.DeepClone();
        var origins = new Dictionary<string, ValueOrigin>(_origins, StringComparer.Ordinal);
        MergeInto(root, over.Root, "", origins, over._origins);
        return new ValuesDocument(root, origins, [.. Files, .. over.Files]);
    }

    /// <summary>
    /// This document with a Helm parameter set (<c>--set a.b=v</c>, as the acm chart passes a managed cluster group's
    /// <c>helmOverrides</c>): <c>true</c>/<c>false</c> and integers are typed unless <paramref name="forceString"/>.
    /// </summary>
    public ValuesDocument WithParameter(string name, string value, bool forceString, string source)
    {
        var keys = name.Split('.');
        if (keys.Any(k => k.Length == 0 || k.Contains('[')))
        {
            throw new ValuesException(source, null, name, "only dotted map keys are supported in parameter names");
        }
        var over = new JsonObject();
        var node = over;
        foreach (var key in keys[..^1])
        {
            var child = new JsonObject();
            node[key] = child;
            node = child;
        }
        JsonNode typed = forceString ? JsonValue.Create(value)
            : bool.TryParse(value, out var b) ? JsonValue.Create(b)
            : long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l)
            : JsonValue.Create(value);
        node[keys[^1]] = typed;
        var origins = new Dictionary<string, ValueOrigin>(StringComparer.Ordinal);
        var path = "";
        foreach (var key in keys)
        {
            path = Child(path, key);
            origins[path] = new ValueOrigin(source, null);
        }
        return Merge(new ValuesDocument(over, origins, [source]));
    }

    /// <summary>The file and line a field came from, or those of its nearest ancestor that has one.</summary>
    public ValueOrigin? OriginOf(string path)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (_origins.TryGetValue(p, out var o))
            {
                return o;
            }
            if (p.Length == 0)
            {
                return null;
            }
        }
    }

    /// <summary>An error about a field, naming the file and line it came from.</summary>
    public ValuesException Error(string path, string problem)
    {
        var origin = OriginOf(path);
        return new ValuesException(origin?.File ?? (Files.Count > 0 ? Files[^1] : "<values>"), origin?.Line, path, problem);
    }

    /// <summary>The path of a map key below <paramref name="parent"/>: <c>a.b</c>, or <c>a["b.c"]</c> when the key has dots.</summary>
    public static string Child(string parent, string key)
    {
        var k = key.Contains('.') || key.Contains('[') ? $"[\"{key}\"]" : key;
        return parent.Length == 0 ? k : k.StartsWith('[') ? parent + k : $"{parent}.{k}";
    }

    public static string Item(string parent, int index) => $"{parent}[{index}]";

    private static string Parent(string path)
    {
        if (path.EndsWith("\"]", StringComparison.Ordinal))
        {
            return path[..path.LastIndexOf("[\"", StringComparison.Ordinal)];
        }
        if (path.EndsWith(']'))
        {
            return path[..path.LastIndexOf('[')];
        }
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }

    private static void RecordOrigins(YamlNode node, string path, string file, Dictionary<string, ValueOrigin> origins)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: { } key })
                    {
                        var child = Child(path, key);
                        origins[child] = new ValueOrigin(file, (int)k.Start.Line);
                        RecordOrigins(v, child, file, origins);
                    }
                }
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    var child = Item(path, i);
                    origins[child] = new ValueOrigin(file, (int)seq.Children[i].Start.Line);
                    RecordOrigins(seq.Children[i], child, file, origins);
                }
                break;
        }
    }

    private static void MergeInto(JsonObject target, JsonObject over, string path, Dictionary<string, ValueOrigin> origins, IReadOnlyDictionary<string, ValueOrigin> overOrigins)
    {
        foreach (var (key, value) in over)
        {
            var child = Child(path, key);
            if (value is JsonObject overMap && target[key] is JsonObject baseMap)
            {
                if (overOrigins.TryGetValue(child, out var o))
                {
                    origins[child] = o;
                }
                MergeInto(baseMap, overMap, child, origins, overOrigins);
                continue;
            }
            foreach (var stale in origins.Keys.Where(k => k == child || k.StartsWith(child + ".", StringComparison.Ordinal) || k.StartsWith(child + "[", StringComparison.Ordinal)).ToList())
            {
                origins.Remove(stale);
            }
            target[key] = value?.DeepClone(); // Helm layers -f files with a plain map merge: a null replaces too
            foreach (var (k, o) in overOrigins.Where(e => e.Key == child || e.Key.StartsWith(child + ".", StringComparison.Ordinal) || e.Key.StartsWith(child + "[", StringComparison.Ordinal)))
            {
                origins[k] = o;
            }
        }
    }
}
