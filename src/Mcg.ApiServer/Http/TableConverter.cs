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
        IReadOnlyList<PrinterColumn> columns;
        if (rt is { Group: "", Plural: "events" })
        {
            columns = EventColumns(now);
        }
        else
        {
            // As upstream's printers: the name, the default columns, the age, then the -o wide ones.
            columns = Columns(rt);
            var age = new PrinterColumn("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created.",
                Value: obj => Age(obj.Metadata().GetString("creationTimestamp"), now));
            var name = new PrinterColumn("Name", "string", "", "Name must be unique within a namespace.", Format: "name", Value: obj => obj.Name());
            columns = [name, .. columns.Where(c => c.Priority == 0), age, .. columns.Where(c => c.Priority != 0)];
        }
        var definitions = new JsonArray();
        foreach (var c in columns)
        {
            definitions.Add(Column(c.Name, c.Type, c.Format, c.Description, c.Priority));
        }
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray();
            foreach (var c in columns)
            {
                cells.Add(c.Value is { } value ? value(obj) : JsonPath.Evaluate(obj, c.JsonPath)?.DeepClone());
            }
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
            ("", "pods") =>
            [
                Computed("Ready", "string", o => $"{Count(o["status"]?["containerStatuses"], c => c?["ready"]?.GetValue<bool>() == true)}/{Count(Template(o)?["containers"])}"),
                Computed("Status", "string", o => o["status"]?["reason"]?.GetValue<string>() ?? o["status"]?["phase"]?.GetValue<string>() ?? "Pending"),
                Computed("Restarts", "string", o => (o["status"]?["containerStatuses"] as JsonArray)?.Sum(c => c?["restartCount"]?.GetValue<long>() ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0"),
                Computed("IP", "string", o => o["status"]?["podIP"]?.GetValue<string>() ?? "<none>", 1),
                Computed("Node", "string", o => o["spec"]?["nodeName"]?.GetValue<string>() ?? "<none>", 1),
            ],
            ("", "configmaps") => [Computed("Data", "integer", o => Count(o["data"]) + Count(o["binaryData"]))],
            ("", "secrets") => [new("Type", "string", ".type"), Computed("Data", "integer", o => Count(o["data"]))],
            ("", "services") =>
            [
                Computed("Type", "string", o => o["spec"]?["type"]?.GetValue<string>() ?? "ClusterIP"),
                Computed("Cluster-IP", "string", o => o["spec"]?["clusterIP"]?.GetValue<string>() ?? "<none>"),
                Computed("External-IP", "string", o => o["spec"]?["externalName"]?.GetValue<string>()
                    ?? Join(o["status"]?["loadBalancer"]?["ingress"], i => i?["ip"]?.GetValue<string>() ?? i?["hostname"]?.GetValue<string>(), "<none>")),
                Computed("Port(s)", "string", o => Join(o["spec"]?["ports"], p =>
                    $"{p?["port"]}{(p?["nodePort"] is { } node ? $":{node}" : "")}/{p?["protocol"]?.GetValue<string>() ?? "TCP"}", "<none>")),
                Computed("Selector", "string", o => MapText(o["spec"]?["selector"]), 1),
            ],
            ("", "persistentvolumeclaims") => [new("Status", "string", ".status.phase"), new("Volume", "string", ".spec.volumeName"), new("StorageClass", "string", ".spec.storageClassName")],
            ("apps", "deployments") =>
            [
                Computed("Ready", "string", o => $"{Int(o, "status", "readyReplicas")}/{Desired(o)}"),
                Computed("Up-to-date", "integer", o => Int(o, "status", "updatedReplicas")),
                Computed("Available", "integer", o => Int(o, "status", "availableReplicas")),
                .. WorkloadWide(selector: true),
            ],
            ("apps", "replicasets") =>
            [
                Computed("Desired", "integer", o => Desired(o)),
                Computed("Current", "integer", o => Int(o, "status", "replicas")),
                Computed("Ready", "integer", o => Int(o, "status", "readyReplicas")),
                .. WorkloadWide(selector: true),
            ],
            ("apps", "statefulsets") =>
            [
                Computed("Ready", "string", o => $"{Int(o, "status", "readyReplicas")}/{Desired(o)}"),
                .. WorkloadWide(selector: false),
            ],
            ("storage.k8s.io", "storageclasses") => [new("Provisioner", "string", ".provisioner")],
            _ => [],
        };
    }

    /// <summary>Upstream's event printer: last seen, type, reason, object (kind/name), message; wide adds subobject, source, first seen, count, name.</summary>
    private static PrinterColumn[] EventColumns(DateTimeOffset now)
    {
        string First(JsonObject o) => o.GetString("firstTimestamp") is { Length: > 0 } first ? Age(first, now) : Age(o.GetString("eventTime"), now);
        string Last(JsonObject o) => o["series"]?["lastObservedTime"]?.GetValue<string>() is { Length: > 0 } series ? Age(series, now)
            : o.GetString("lastTimestamp") is { Length: > 0 } last ? Age(last, now) : First(o);
        static string Target(JsonObject o) => o["involvedObject"] is JsonObject io && io.GetString("kind") is { } kind
            ? io.GetString("name") is { Length: > 0 } n ? $"{kind.ToLowerInvariant()}/{n}" : kind.ToLowerInvariant()
            : "";
        static string Source(JsonObject o)
        {
            var component = o["source"]?["component"]?.GetValue<string>() is { Length: > 0 } c ? c : o.GetString("reportingController") ?? "";
            var host = o["source"]?["host"]?.GetValue<string>() is { Length: > 0 } h ? h : o.GetString("reportingInstance") ?? "";
            return host.Length > 0 && host != component ? $"{component}, {host}" : component;
        }
        return
        [
            Computed("Last Seen", "string", o => Last(o)),
            new("Type", "string", ".type"),
            new("Reason", "string", ".reason"),
            Computed("Object", "string", o => Target(o)),
            Computed("Subobject", "string", o => o["involvedObject"]?["fieldPath"]?.GetValue<string>() ?? "", 1),
            Computed("Source", "string", o => Source(o), 1),
            Computed("Message", "string", o => o.GetString("message")?.Trim() ?? ""),
            Computed("First Seen", "string", o => First(o), 1),
            Computed("Count", "integer", o => o["series"]?["count"]?.GetValue<long>() ?? (o["count"]?.GetValue<long>() is > 0 and var n ? n : 1), 1),
            new("Name", "string", ".metadata.name", Priority: 1, Format: "name"),
        ];
    }

    private static PrinterColumn Computed(string name, string type, Func<JsonObject, JsonNode?> value, int priority = 0) =>
        new(name, type, "", Priority: priority, Value: value);

    private static PrinterColumn[] WorkloadWide(bool selector) =>
    [
        Computed("Containers", "string", o => Join(Template(o)?["containers"], c => c?["name"]?.GetValue<string>(), ""), 1),
        Computed("Images", "string", o => Join(Template(o)?["containers"], c => c?["image"]?.GetValue<string>(), ""), 1),
        .. selector ? [Computed("Selector", "string", o => SelectorText(o["spec"]?["selector"]), 1)] : Array.Empty<PrinterColumn>(),
    ];

    /// <summary>The pod spec of a pod, or of a workload's template.</summary>
    private static JsonNode? Template(JsonObject o) => o["spec"]?["template"]?["spec"] ?? o["spec"];

    // spec.replicas defaults to 1 upstream.
    private static long Desired(JsonObject o) => o["spec"]?["replicas"]?.GetValue<long>() ?? 1;

    private static long Int(JsonObject o, string a, string b) => o[a]?[b]?.GetValue<long>() ?? 0;

    private static int Count(JsonNode? node, Func<JsonNode?, bool>? where = null) => node switch
    {
        JsonObject map => map.Count,
        JsonArray list => where is null ? list.Count : list.Count(where),
        _ => 0,
    };

    private static string Join(JsonNode? list, Func<JsonNode?, string?> text, string empty)
    {
        var parts = (list as JsonArray)?.Select(text).OfType<string>().ToList() ?? [];
        return parts.Count == 0 ? empty : string.Join(',', parts);
    }

    private static string MapText(JsonNode? map) =>
        map is JsonObject { Count: > 0 } m ? string.Join(',', m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) : "<none>";

    /// <summary>A LabelSelector as metav1.FormatLabelSelector writes it.</summary>
    internal static string SelectorText(JsonNode? selector)
    {
        if (selector is not JsonObject s)
        {
            return "<none>";
        }
        var parts = (s["matchLabels"] as JsonObject)?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList() ?? [];
        foreach (var e in (s["matchExpressions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var key = e.GetString("key");
            var values = string.Join(',', (e["values"] as JsonArray)?.Select(v => v?.ToString()) ?? []);
            parts.Add(e.GetString("operator") switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => key ?? "",
                "DoesNotExist" => $"!{key}",
                var op => $"{key} {op} ({values})",
            });
        }
        return parts.Count == 0 ? "<none>" : string.Join(',', parts);
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
