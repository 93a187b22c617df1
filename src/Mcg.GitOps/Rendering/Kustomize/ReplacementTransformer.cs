using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The <c>replacements</c> field: copies one field of a source object into fields of the selected targets. Field paths
/// are dot-separated; <c>[key=value]</c> picks list elements, a number indexes a list, <c>*</c> takes every element.
/// </summary>
internal static class ReplacementTransformer
{
    private static readonly HashSet<string> OptionFields = ["delimiter", "index", "create"];

    public static void Apply(ResourceAccumulator resources, KustomizationReader entry, Kustomization k, FileLoader loader)
    {
        if (entry.Object.ContainsKey("path"))
        {
            entry.OnlyFields(new HashSet<string> { "path" });
            var path = loader.ResolveFile(k.Directory, entry.String("path")!, entry.File, "replacements");
            var display = loader.Display(path);
            foreach (var doc in loader.ParseFile(path))
            {
                var items = doc switch
                {
                    JsonArray list => list.OfType<JsonObject>(),
                    JsonObject single => [single],
                    _ => throw new RenderException("a replacements file must hold replacement maps", display),
                };
                foreach (var item in items)
                {
                    Apply(resources, new KustomizationReader(item, display, "replacement"), k, loader);
                }
            }
            return;
        }
        entry.OnlyFields(new HashSet<string> { "source", "targets" });
        var sourceReader = entry.Child("source") ?? throw entry.Error("a replacement needs a source");
        var sourceSelector = Selector.Read(sourceReader, ["fieldPath", "options"]);
        var value = SourceValue(resources, sourceSelector, sourceReader);
        foreach (var target in entry.Children("targets"))
        {
            target.OnlyFields(new HashSet<string> { "select", "reject", "fieldPaths", "options" });
            var select = target.Child("select") is { } s ? Selector.Read(s) : throw target.Error("target must specify resources to select");
            var rejects = target.Children("reject").Select(r => Selector.Read(r)).ToList();
            var fieldPaths = target.Strings("fieldPaths") is { Count: > 0 } fps ? fps : ["metadata.name"];
            var options = Options(target);
            foreach (var r in resources.Resources)
            {
                var ids = r.AllIds.ToList();
                if (!select.MatchesLabelsAndAnnotations(r, entry.File) || !ids.Any(id => id.IsSelectedBy(select.Id))
                    || rejects.Any(reject => IsRejected(reject, r, ids, entry.File)))
                {
                    continue;
                }
                foreach (var fieldPath in fieldPaths)
                {
                    CopyToTarget(r, fieldPath, value, options, target);
                }
            }
        }
    }

    private sealed record FieldOptions(string? Delimiter, int Index, bool Create);

    private static FieldOptions Options(KustomizationReader r) => r.Child("options") is { } o
        ? Validated(o)
        : new FieldOptions(null, 0, false);

    private static FieldOptions Validated(KustomizationReader o)
    {
        o.OnlyFields(OptionFields);
        return new FieldOptions(o.String("delimiter"), o.Int("index") ?? 0, o.Bool("create"));
    }

    private static bool IsRejected(Selector reject, Resource r, List<ResId> ids, string file)
    {
        var hasId = reject.Id != default(ResId) && (reject.Id.Name.Length > 0 || reject.Id.Namespace.Length > 0 || reject.Id.Gvk != default);
        var hasSelectors = reject.LabelSelector is not null || reject.AnnotationSelector is not null;
        if (!hasId && !hasSelectors)
        {
            return false;
        }
        return (!hasId || ids.Any(id => id.IsSelectedBy(reject.Id))) && (!hasSelectors || reject.MatchesLabelsAndAnnotations(r, file));
    }

    private static JsonNode SourceValue(ResourceAccumulator resources, Selector selector, KustomizationReader source)
    {
        var matches = resources.Resources.Where(r => r.AllIds.Any(id => id.IsSelectedBy(selector.Id))).ToList();
        if (matches.Count != 1)
        {
            throw source.Error(matches.Count == 0 ? $"nothing selected by {selector}" : $"multiple matches for selector {selector}");
        }
        var fieldPath = source.String("fieldPath") ?? "metadata.name";
        var value = Lookup(matches[0].Obj, SplitPath(fieldPath), create: false).Select(Get).FirstOrDefault();
        if (value is null || value is JsonObject { Count: 0 } || value is JsonArray { Count: 0 })
        {
            throw source.Error($"fieldPath `{fieldPath}` is missing for replacement source {selector}");
        }
        var options = Options(source);
        if (options.Delimiter is not { Length: > 0 } delimiter)
        {
            return value.DeepClone();
        }
        if (value is not JsonValue)
        {
            throw source.Error("delimiter option can only be used with scalar nodes");
        }
        var parts = Text(value).Split(delimiter);
        if (options.Index < 0 || options.Index >= parts.Length)
        {
            throw source.Error($"options.index {options.Index} is out of bounds for value {Text(value)}");
        }
        return JsonValue.Create(parts[options.Index]);
    }

    private static void CopyToTarget(Resource r, string fieldPath, JsonNode value, FieldOptions options, KustomizationReader target)
    {
        var fields = Lookup(r.Obj, SplitPath(fieldPath), options.Create).ToList();
        if (fields.Count == 0)
        {
            throw target.Error(options.Create
                ? $"unable to find or create field \"{fieldPath}\" in replacement target {r.CurId}"
                : $"unable to find field \"{fieldPath}\" in replacement target {r.CurId}");
        }
        foreach (var (parent, key) in fields)
        {
            var current = Get((parent, key));
            var replacement = value.DeepClone();
            if (options.Delimiter is { Length: > 0 } delimiter)
            {
                if (current is not JsonValue)
                {
                    throw target.Error("delimiter option can only be used with scalar nodes");
                }
                var parts = Text(current).Split(delimiter).ToList();
                var v = Text(value);
                if (options.Index < 0)
                {
                    parts.Insert(0, v);
                }
                else if (options.Index >= parts.Count)
                {
                    parts.Add(v);
                }
                else
                {
                    parts[options.Index] = v;
                }
                replacement = JsonValue.Create(string.Join(delimiter, parts));
            }
            if (current is JsonValue scalar && replacement is JsonValue)
            {
                // kustomize copies only the text into a scalar target, which keeps the target's type.
                replacement = Retyped(Text(replacement), scalar.GetValueKind());
            }
            else if (current is null && replacement is JsonValue)
            {
                // A created field is an untagged scalar: its text is typed again as YAML would type it.
                replacement = Untagged(Text(replacement));
            }
            if (parent is JsonObject po)
            {
                po[key] = replacement;
            }
            else
            {
                ((JsonArray)parent)[int.Parse(key, CultureInfo.InvariantCulture)] = replacement;
            }
        }
    }

    private static JsonNode Retyped(string text, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        JsonValueKind.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        JsonValueKind.True or JsonValueKind.False when bool.TryParse(text, out var b) => JsonValue.Create(b),
        _ => JsonValue.Create(text),
    };

    private static JsonNode? Untagged(string text)
    {
        try
        {
            return YamlJson.Parse(text) is JsonValue typed ? typed : JsonValue.Create(text);
        }
        catch (FormatException)
        {
            return JsonValue.Create(text);
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        null => "",
        _ => node.ToJsonString(),
    };

    /// <summary>Splits on dots outside brackets.</summary>
    private static List<string> SplitPath(string path)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '[')
            {
                depth++;
            }
            else if (path[i] == ']')
            {
                depth--;
            }
            else if (path[i] == '.' && depth == 0)
            {
                parts.Add(path[start..i]);
                start = i + 1;
            }
        }
        parts.Add(path[start..]);
        return parts;
    }

    /// <summary>The (parent, key) pairs the path leads to; with <paramref name="create"/>, missing fields and elements are made.</summary>
    private static IEnumerable<(JsonNode Parent, string Key)> Lookup(JsonNode node, List<string> path, bool create)
    {
        var current = new List<(JsonNode Parent, string Key)>();
        var nodes = new List<JsonNode> { node };
        for (var i = 0; i < path.Count; i++)
        {
            var part = path[i];
            var last = i == path.Count - 1;
            current = [];
            foreach (var n in nodes)
            {
                current.AddRange(Step(n, part, create, last ? () => null : NewContainer(path[i + 1])));
            }
            if (last)
            {
                break;
            }
            nodes = current.Select(Get).Where(n => n is not null).Select(n => n!).ToList();
        }
        return current;
    }

    private static JsonNode? Get((JsonNode Parent, string Key) field) =>
        field.Parent is JsonObject o ? o[field.Key] : ((JsonArray)field.Parent)[int.Parse(field.Key, CultureInfo.InvariantCulture)];

    private static Func<JsonNode?> NewContainer(string next) =>
        next.StartsWith('[') || next == "*" || next.All(char.IsAsciiDigit) ? () => new JsonArray() : () => new JsonObject();

    private static IEnumerable<(JsonNode Parent, string Key)> Step(JsonNode node, string part, bool create, Func<JsonNode?> placeholder)
    {
        var bracket = part.StartsWith('[') && part.EndsWith(']') ? part[1..^1] : null;
        switch (node)
        {
            case JsonArray list when part is "*" or "[*]":
                return Enumerable.Range(0, list.Count).Select(i => ((JsonNode)list, i.ToString(CultureInfo.InvariantCulture)));
            case JsonArray list when int.TryParse(bracket ?? part, NumberStyles.None, CultureInfo.InvariantCulture, out var index):
                return index < list.Count ? [(list, index.ToString(CultureInfo.InvariantCulture))] : [];
            case JsonArray list when bracket is not null && bracket.IndexOf('=') is var eq and >= 0:
                var (k, v) = (bracket[..eq], bracket[(eq + 1)..]);
                var matches = Enumerable.Range(0, list.Count)
                    .Where(i => k.Length == 0 ? Text(list[i]) == v : list[i] is JsonObject o && o[k] is JsonValue && Text(o[k]) == v)
                    .Select(i => ((JsonNode)list, i.ToString(CultureInfo.InvariantCulture))).ToList();
                if (matches.Count == 0 && create)
                {
                    list.Add(k.Length == 0 ? JsonValue.Create(v) : new JsonObject { [k] = v });
                    matches.Add((list, (list.Count - 1).ToString(CultureInfo.InvariantCulture)));
                }
                return matches;
            case JsonObject obj:
                var field = bracket ?? part;
                if (obj[field] is null && create)
                {
                    obj[field] = placeholder();
                }
                return obj.ContainsKey(field) ? [(obj, field)] : [];
            default:
                return [];
        }
    }
}
