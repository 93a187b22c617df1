using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mcg.GitOps.ApplicationSets;

/// <summary>
/// Fills an ApplicationSet template with one parameter set. Without <c>goTemplate</c>, as fasttemplate: every
/// <c>{{ key }}</c> whose key is a (flattened, dotted) parameter is replaced, unknown ones are left as they are.
/// With <c>goTemplate: true</c>, the basics of text/template: <c>{{ .a.b }}</c> and <c>{{ index .a "b" }}</c>, a
/// missing key printing <c>&lt;no value&gt;</c> or failing under <c>missingkey=error</c>.
/// </summary>
public static partial class TemplateRenderer
{
    public static JsonObject Render(JsonObject template, JsonObject parameters, bool goTemplate, bool missingKeyError)
    {
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(parameters, "", flat);
        return (JsonObject)Walk(template, s => goTemplate ? RenderGo(s, parameters, missingKeyError) : RenderFast(s, flat))!;
    }

    /// <summary>Nested parameters as fasttemplate sees them: <c>metadata.labels.cloud</c>.</summary>
    public static void Flatten(JsonObject node, string prefix, Dictionary<string, string> into)
    {
        foreach (var (k, v) in node)
        {
            var key = prefix.Length == 0 ? k : $"{prefix}.{k}";
            if (v is JsonObject o)
            {
                Flatten(o, key, into);
            }
            else
            {
                into[key] = v is JsonValue val && val.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
            }
        }
    }

    private static JsonNode? Walk(JsonNode? node, Func<string, string> render) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(render(p.Key), Walk(p.Value, render)))),
        JsonArray a => new JsonArray(a.Select(x => Walk(x, render)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(render(s)),
        _ => node?.DeepClone(),
    };

    private static string RenderFast(string text, IReadOnlyDictionary<string, string> values) =>
        Tag().Replace(text, m => values.TryGetValue(m.Groups[1].Value.Trim(), out var v) ? v : m.Value);

    private static string RenderGo(string text, JsonObject parameters, bool missingKeyError) =>
        Tag().Replace(text, m =>
        {
            var action = m.Groups[1].Value.Trim();
            var path = new List<string>();
            var index = IndexCall().Match(action);
            if (index.Success)
            {
                path.AddRange(index.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries));
                path.Add(index.Groups[2].Value);
            }
            else if (action.StartsWith('.'))
            {
                path.AddRange(action.Split('.', StringSplitOptions.RemoveEmptyEntries));
            }
            else
            {
                throw new TemplateException($"template action \"{{{{{action}}}}}\" is not supported: only {{{{.field}}}} and {{{{index .map \"key\"}}}} are");
            }
            JsonNode? value = parameters;
            foreach (var part in path)
            {
                value = value is JsonObject o && o.TryGetPropertyValue(part, out var next) ? next : null;
                if (value is null)
                {
                    return missingKeyError
                        ? throw new TemplateException($"failed to execute go template {text}: map has no entry for key \"{part}\"")
                        : "<no value>";
                }
            }
            return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value!.ToJsonString();
        });

    [GeneratedRegex(@"\{\{(.*?)\}\}")]
    private static partial Regex Tag();

    [GeneratedRegex(@"^index\s+\.([\w.]*)\s+""([^""]*)""$")]
    private static partial Regex IndexCall();
}

public sealed class TemplateException(string message) : Exception(message);
