using System.Text.Json.Nodes;
using Mcg.ApiServer.Resources;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Http;

/// <summary>meta.k8s.io/v1 Table output for <c>kubectl get</c>: the default columns, a few built-in ones, CRD printer columns.</summary>
public static class TableConverter
{
    public static bool Wants(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Convert(ResourceType rt, IEnumerable<JsonObject> objects, string resourceVersion, string? continueToken, DateTimeOffset now)
    {
        var columns = Columns(rt);
        var definitions = new JsonArray();
        definitions.Add(Column("Name", "string", "name", "Name must be unique within a namespace.", 0));
        foreach (var c in columns)
        {
            definitions.Add(Column(c.Name, c.Type, c.Format, c.Description, c.Priority));
        }
        definitions.Add(Column("Age", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0));
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray { obj.Name() };
            foreach (var c in columns)
            {
                cells.Add(JsonPath.Evaluate(obj, c.JsonPath)?.DeepClone());
            }
            cells.Add(Age(obj.Metadata().GetString("creationTimestamp"), now));
            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj.Metadata().DeepClone(),
                },
            });
        }
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    /// <summary>The age cell as the apiserver's printers render it (k8s.io/apimachinery duration.HumanDuration).</summary>
    public static string Age(string? timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }
        var seconds = (long)(now - created).TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }
        seconds = Math.Max(seconds, 0);
        var minutes = seconds / 60;
        var hours = minutes / 60;
        var days = hours / 24;
        return seconds < 120 ? $"{seconds}s"
            : minutes < 10 ? (seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s")
            : minutes < 180 ? $"{minutes}m"
            : hours < 8 ? (minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m")
            : hours < 48 ? $"{hours}h"
            : hours < 192 ? (hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h")
            : hours < 24 * 365 * 2 ? $"{days}d"
            : hours < 24 * 365 * 8 ? (days % 365 == 0 ? $"{days / 365}y" : $"{days / 365}y{days % 365}d")
            : $"{days / 365}y";
    }

    private static IReadOnlyList<PrinterColumn> Columns(ResourceType rt)
    {
        if (rt.PrinterColumns is { } custom)
        {
            return custom.Where(c => c.JsonPath != ".metadata.creationTimestamp").ToList();
        }
        return (rt.Group, rt.Plural) switch
        {
            ("", "namespaces") => [new("Status", "string", ".status.phase")],
            ("", "pods") => [new("Status", "string", ".status.phase"), new("Node", "string", ".spec.nodeName", Priority: 1)],
            ("", "secrets") => [new("Type", "string", ".type")],
            ("", "persistentvolumeclaims") => [new("Status", "string", ".status.phase"), new("Volume", "string", ".spec.volumeName"), new("StorageClass", "string", ".spec.storageClassName")],
            ("apps", "deployments" or "statefulsets" or "replicasets") =>
                [new("Replicas", "integer", ".spec.replicas"), new("Ready", "integer", ".status.readyReplicas"), new("Available", "integer", ".status.availableReplicas")],
            ("storage.k8s.io", "storageclasses") => [new("Provisioner", "string", ".provisioner")],
            _ => [],
        };
    }

    private static JsonObject Column(string name, string type, string format, string description, int priority) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["format"] = format,
        ["description"] = description,
        ["priority"] = priority,
    };
}

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
