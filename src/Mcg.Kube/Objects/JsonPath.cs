using System.Text.Json.Nodes;

namespace Mcg.Kube.Objects;

/// <summary>
/// The JSONPath subset printer columns use: <c>.a.b</c>, <c>.a[0].b</c>, <c>.a[*].b</c> (first match) and the filter
/// <c>.a[?(@.type=="Ready")].status</c>.
/// </summary>
public static class JsonPath
{
    public static JsonNode? Evaluate(JsonNode? node, string path)
    {
        var current = node;
        foreach (var segment in Segments(path.Trim().TrimStart('{').TrimEnd('}')))
        {
            var field = segment;
            string? selector = null;
            var bracket = segment.IndexOf('[');
            if (bracket >= 0)
            {
                selector = segment[(bracket + 1)..^1];
                field = segment[..bracket];
            }
            current = field.Length > 0 ? (current as JsonObject)?[field] : current;
            if (selector is not null)
            {
                current = Select(current as JsonArray, selector);
            }
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    private static JsonNode? Select(JsonArray? items, string selector)
    {
        if (items is null)
        {
            return null;
        }
        if (selector.StartsWith("?(@.", StringComparison.Ordinal) && selector.EndsWith(')'))
        {
            var condition = selector[4..^1];
            var eq = condition.IndexOf("==", StringComparison.Ordinal);
            if (eq < 0)
            {
                return null;
            }
            var key = condition[..eq].Trim();
            var wanted = condition[(eq + 2)..].Trim().Trim('"', '\'');
            return items.FirstOrDefault(i => Evaluate(i, "." + key) is JsonValue v && v.ToString() == wanted);
        }
        var index = selector == "*" ? 0 : int.TryParse(selector, out var n) ? n : -1;
        return index >= 0 && index < items.Count ? items[index] : null;
    }

    /// <summary>Splits on dots outside brackets (filters contain dots).</summary>
    private static IEnumerable<string> Segments(string path)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < path.Length; i++)
        {
            switch (path[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case '.' when depth == 0:
                    if (i > start)
                    {
                        yield return path[start..i];
                    }
                    start = i + 1;
                    break;
            }
        }
        if (path.Length > start)
        {
            yield return path[start..];
        }
    }
}
